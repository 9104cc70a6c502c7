import { randomUUID } from 'node:crypto';
import {
  type ActorBehaviour,
  type ActorContext,
  type CallRequest,
  defineActor,
  type NoReply,
  noreply,
  reply,
  Stop,
  stop,
} from '@warden/core';
import { AgentLifecycle } from '@warden/machines';
import { tokenizerFor } from '../context/tokenizer.js';
import { type InheritedGovernance, resolveGovernance } from '../governance/governance.js';
import type { AgentResult } from '../store/checkpoint.js';
import { MemoryCheckpointStore } from '../store/checkpoint-store.js';
import { MemoryMemoryStore } from '../store/memory-store.js';
import { recallTool } from '../tools/recall-tool.js';
import { AgentError } from './agent-error.js';
import { type AgentStatus, type AgentTask, isAgentControl, isAgentTask } from './agent-protocol.js';
import type { Origin, Run } from './agent-run.js';
import { type AgentSpec, resolveAgentSpec } from './agent-spec.js';
import { NOTHING_SPENT } from './budget.js';
import { PROCESS_EXITING } from './process-exit.js';
import { AgentSignal, type Eventually, type Runtime, StepLoop } from './step-loop.js';
import { newTreeCounter, type TreeCounter } from './subagents.js';

/** What an agent process is started with (all optional). */
export interface AgentArgs {
  /** A task to run as soon as the agent starts (how subagents are started). */
  readonly task?: AgentTask;
  /** Stop `normal` once that task is answered. */
  readonly exitWhenDone?: boolean;
  /** The subagent ceiling shared by a whole tree (set by the parent for its subagents). */
  readonly tree?: TreeCounter;
  /**
   * Narrows the definition's governance: capabilities intersected (a `CapabilitySet`, never
   * data), freeze switches added. A parent sets it for its subagents.
   */
  readonly governance?: InheritedGovernance;
}

/** The process state of an agent: its lifecycle, the run in flight and the tasks queued. */
export interface AgentState {
  readonly lifecycle: AgentLifecycle;
  readonly loop: StepLoop;
  readonly queue: { readonly task: AgentTask; readonly origin: Origin }[];
  readonly exitWhenDone: boolean;
  /** `await` calls that came before any task: answered by the next task's result. */
  readonly waiting: CallRequest[];
  lastResult: AgentResult | undefined;
}

/** An agent definition: a warden behaviour with its type name attached. */
export type AgentBehaviour = ActorBehaviour<AgentState, AgentArgs | undefined> & {
  readonly agentName: string;
};

/** Tasks a busy agent keeps queued before it refuses more. */
const MAX_QUEUED = 64;

/**
 * Defines an agent: a warden behaviour whose loop is plan (a model call), act (tool calls) and
 * observe (the results back into the context), one step per message to itself. Start it like any
 * process, under a supervisor; a task comes in by `call` (or `cast` with `replyTo`).
 *
 * The model call and the tool calls run beside the process, not inside a handler, so a busy
 * agent still answers `status` and `cancel` and takes system signals at any moment; a kill aborts
 * them through the task's signal. The runtime, not the prompt, enforces the rules: budgets
 * (steps, tokens, cost, wall time, tool calls, subagents), the loop guard, compaction before the
 * context overflows, one checkpoint per step and per observation. Crossing a budget or looping
 * ends the agent with a typed error reason; its supervisor decides what follows.
 *
 * @example
 * const triage = defineAgent({ name: 'triage', model, system: 'You triage tickets.',
 *   tools: [readTicket], limits: { steps: 20, tokens: 200_000 } });
 * const pid = node.spawn(triage);
 * const result = await runTask(node, pid, 'Triage ticket 42');
 */
export function defineAgent(spec: AgentSpec): AgentBehaviour {
  const resolved = resolveAgentSpec(spec);
  const store = spec.store;
  const checkpoints = spec.checkpoints ?? store?.checkpoints ?? new MemoryCheckpointStore();
  const memory = spec.memory ?? store?.memory ?? new MemoryMemoryStore();
  const offloads =
    resolved.compaction !== false && resolved.compaction.strategies.includes('offload');
  const tools = new Map(resolved.tools);
  if (offloads && !tools.has('recall')) tools.set('recall', recallTool(memory));
  const runtime: Runtime = {
    spec: { ...resolved, tools },
    checkpoints,
    memory,
    toolSpecs: [...tools.values()].map((t) => t.spec),
    governance: resolveGovernance(
      store === undefined
        ? spec
        : { ...spec, journal: spec.journal ?? store.journal, audit: spec.audit ?? store.audit },
    ),
  };

  const behaviour = defineActor<AgentState, AgentArgs | undefined>({
    init: (args, ctx) => {
      const tokenizer = tokenizerFor('o200k_base');
      const lifecycle = new AgentLifecycle();
      const state: AgentState = {
        lifecycle,
        loop: new StepLoop(
          runtime,
          ctx,
          lifecycle,
          tokenizer,
          args?.tree ?? newTreeCounter(resolved.perTree),
          args?.governance,
        ),
        queue: [],
        exitWhenDone: args?.exitWhenDone === true,
        waiting: [],
        lastResult: undefined,
      };
      if (args?.task !== undefined) {
        state.queue.push({ task: args.task, origin: { kind: 'none' } });
        ctx.send(ctx.self, new AgentSignal('dequeue', 0, undefined));
      }
      return state;
    },

    // The handlers answer at once when nothing they did had to wait (see `Eventually`).
    handleCall: (request: unknown, from: CallRequest, state, ctx) => {
      if (isAgentControl(request)) {
        switch (request.$agent) {
          case 'status':
            return reply(status(state, ctx), state);
          case 'cancel':
            return reply(state.loop.cancel(), state);
          case 'await': {
            const run = state.loop.run;
            if (run !== undefined) {
              run.awaiters.push(from);
              return noreply(state);
            }
            if (state.lastResult !== undefined) return reply(state.lastResult, state);
            state.waiting.push(from);
            return noreply(state);
          }
        }
      }
      if (isAgentTask(request)) {
        const next = accept(state, request, { kind: 'call', from });
        return next instanceof Promise ? next.then(callAnswer) : callAnswer(next);
      }
      return reply({ error: 'unknown_request' }, state);
    },

    handleCast: (message: unknown, state, ctx) => {
      if (isAgentTask(message) && message.replyTo !== undefined) {
        return accept(state, message, {
          kind: 'cast',
          replyTo: message.replyTo,
          tag: message.tag,
        });
      }
      const event = { type: 'agent.unexpected_message', agent: resolved.name };
      ctx.publish(event);
      return state;
    },

    handleInfo: (message: unknown, state) => {
      if (!(message instanceof AgentSignal)) return state;
      if (message.kind === 'dequeue') return dequeue(state);
      const finished = state.loop.handle(message);
      return finished instanceof Promise
        ? finished.then((result) => afterSignal(state, result))
        : afterSignal(state, finished);
    },

    terminate: (_reason, state) => {
      state.loop.run?.abort(PROCESS_EXITING);
    },
  });
  return Object.freeze({ ...behaviour, agentName: resolved.name });

  /** A task's caller is answered by the task's end, not by the turn that accepted it. */
  function callAnswer(next: AgentState | Stop<AgentState>): NoReply<AgentState> | Stop<AgentState> {
    return next instanceof Stop ? next : noreply(next);
  }

  /** After a signal: a finished task makes room for the next queued one. */
  function afterSignal(
    state: AgentState,
    finished: AgentResult | undefined,
  ): Eventually<AgentState | Stop<AgentState>> {
    if (finished === undefined) return state;
    state.lastResult = finished;
    if (state.exitWhenDone) return stop('normal', state);
    return dequeue(state);
  }

  function accept(
    state: AgentState,
    task: AgentTask,
    origin: Origin,
  ): Eventually<AgentState | Stop<AgentState>> {
    if (state.queue.length >= MAX_QUEUED) {
      const error = new AgentError(
        'ERR_AGENT_BUSY',
        `agent ${resolved.name}: ${MAX_QUEUED} tasks queued`,
      );
      state.loop.answer(origin, {
        threadId: task.threadId ?? '',
        outcome: 'refused',
        text: error.message,
        steps: 0,
        spent: NOTHING_SPENT,
      });
      return state;
    }
    state.queue.push({ task, origin });
    return state.loop.run === undefined ? dequeue(state) : state;
  }

  /** Starts the next queued task unless one is in flight: tasks run one at a time. */
  function dequeue(state: AgentState): Eventually<AgentState | Stop<AgentState>> {
    while (state.loop.run === undefined) {
      const next = state.queue.shift();
      if (next === undefined) return state;
      const threadId = next.task.threadId ?? randomUUID();
      const begun = state.loop.begin(threadId, next.task.task, next.origin);
      if (begun instanceof Promise) {
        return begun.then((finished) => {
          const after = afterBegin(state, finished);
          return after === undefined ? dequeue(state) : after;
        });
      }
      const after = afterBegin(state, begun);
      if (after !== undefined) return after;
    }
    return state;
  }

  /**
   * A task began: the calls waiting for a result wait for it, and the queue waits for its end
   * (`state`). Or its thread had finished before: answered from its checkpoint, nothing ran
   * again, and the next queued task may start (undefined), unless the agent stops when done.
   */
  function afterBegin(
    state: AgentState,
    finished: AgentResult | undefined,
  ): AgentState | Stop<AgentState> | undefined {
    const waiting = state.waiting.splice(0);
    if (finished === undefined) {
      (state.loop.run as Run | undefined)?.awaiters.push(...waiting);
      return state;
    }
    for (const from of waiting) state.loop.answerCall(from, finished);
    state.lastResult = finished;
    if (state.exitWhenDone) return stop('normal', state);
    return undefined;
  }

  function status(state: AgentState, ctx: ActorContext): AgentStatus {
    const run: Run | undefined = state.loop.run;
    return {
      agent: resolved.name,
      state: state.lifecycle.state,
      level: state.lifecycle.context.level,
      threadId: run?.threadId,
      step: run?.step ?? 0,
      contextTokens: run?.ledger.tokens ?? 0,
      uncountedTokens: run?.uncounted ?? 0,
      spent: run?.meter.spent(ctx.now()),
      refusedSpawns: state.loop.refusedSpawns,
    };
  }
}
