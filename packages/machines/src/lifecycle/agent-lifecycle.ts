import {
  type AgentLifecycleContext,
  type AgentLifecycleEvent,
  type AgentLifecycleInput,
  type AgentLifecycleState,
  agentLifecycleMachine,
} from './agent-lifecycle-machine.js';
import { TransitionTable } from './transition-table.js';

/** The chart compiled once per process: every lifecycle shares it. */
const TABLE = new TransitionTable<AgentLifecycleContext>(agentLifecycleMachine);

type ContextFactory = (args: { input: AgentLifecycleInput | undefined }) => AgentLifecycleContext;

/**
 * The lifecycle machine as a plain value holder, for a runtime that owns its own loop (the agent
 * runtime): each `send` is one lookup in the chart compiled to a transition table (the same
 * guards and assignments as the machine, held to agree with xstate's `transition` on every state
 * and event), with no interpreter, snapshot, mailbox or timer behind it, so driving the chart
 * costs well under a microsecond per event and an idle agent keeps only a state name and a
 * context. What the chart does not allow in the current state is refused (`send` returns false)
 * and changes nothing. A bad input (`maxLevel` not an integer of at least 1) is refused with
 * `ERR_INVALID_OPTION` naming the field.
 */
export class AgentLifecycle {
  #state: AgentLifecycleState;
  #context: AgentLifecycleContext;

  constructor(input?: AgentLifecycleInput) {
    this.#state = TABLE.initial as AgentLifecycleState;
    this.#context = (agentLifecycleMachine.config.context as ContextFactory)({ input });
  }

  get state(): AgentLifecycleState {
    return this.#state;
  }

  get context(): AgentLifecycleContext {
    return this.#context;
  }

  can(event: AgentLifecycleEvent): boolean {
    return TABLE.can(this.#state, this.#context, event);
  }

  /** Applies `event`; returns false (and changes nothing) if the chart refuses it here. */
  send(event: AgentLifecycleEvent): boolean {
    const next = TABLE.step(this.#state, this.#context, event);
    if (next === undefined) return false;
    this.#state = next.state as AgentLifecycleState;
    this.#context = next.context;
    return true;
  }
}
