import { initialTransition, type SnapshotFrom, transition } from 'xstate';
import {
  type AgentLifecycleContext,
  type AgentLifecycleEvent,
  type AgentLifecycleInput,
  type AgentLifecycleState,
  agentLifecycleMachine,
} from './agent-lifecycle-machine.js';

type Snapshot = SnapshotFrom<typeof agentLifecycleMachine>;

/**
 * The lifecycle machine as a plain value holder, for a runtime that owns its own loop (the agent
 * runtime): each `send` is one pure `transition` of the machine, with no interpreter, mailbox or
 * timer behind it, so driving the chart costs a few microseconds per step. What the chart does
 * not allow in the current state is refused (`send` returns false) and changes nothing.
 */
export class AgentLifecycle {
  #snapshot: Snapshot;

  constructor(input?: AgentLifecycleInput) {
    [this.#snapshot] = initialTransition(agentLifecycleMachine, input);
  }

  get state(): AgentLifecycleState {
    return this.#snapshot.value as AgentLifecycleState;
  }

  get context(): AgentLifecycleContext {
    return this.#snapshot.context;
  }

  can(event: AgentLifecycleEvent): boolean {
    return this.#snapshot.can(event);
  }

  /** Applies `event`; returns false (and changes nothing) if the chart refuses it here. */
  send(event: AgentLifecycleEvent): boolean {
    if (!this.#snapshot.can(event)) return false;
    [this.#snapshot] = transition(agentLifecycleMachine, this.#snapshot, event);
    return true;
  }
}
