import type { ActorContext, CallRequest } from '@warden/core';
import type { AgentLifecycle } from '@warden/machines';
import type { Tokenizer } from '../context/tokenizer.js';
import { Gate } from '../governance/gate.js';
import {
  type Governance,
  governanceFor,
  type InheritedGovernance,
} from '../governance/governance.js';
import type { ToolSpec } from '../model/model-request.js';
import type { ModelResponse } from '../model/model-response.js';
import type { AgentResult, Checkpoint } from '../store/checkpoint.js';
import { type CheckpointStore, MemoryCheckpointStore } from '../store/checkpoint-store.js';
import type { MemoryStore } from '../store/memory-store.js';
import { act, onApproval, onTools, pendingCalls } from './act-phase.js';
import { isAgentError } from './agent-error.js';
import type { AgentReply } from './agent-protocol.js';
import { type Origin, Run } from './agent-run.js';
import {
  AgentSignal,
  type ApprovalPhase,
  type ModelOutcome,
  type ToolsOutcome,
} from './agent-signal.js';
import type { ResolvedAgentSpec } from './agent-spec.js';
import { budgetExceeded } from './budget.js';
import { compactContext, onCompacted } from './compaction-phase.js';
import { callModel, onModel } from './model-phase.js';
import { costOf } from './price-table.js';
import { ProcessExit } from './process-exit.js';
import { Subagents, type TreeCounter } from './subagents.js';

export { AgentSignal } from './agent-signal.js';

/** What every run of one agent definition shares. */
export interface Runtime {
  readonly spec: ResolvedAgentSpec;
  readonly checkpoints: CheckpointStore;
  readonly memory: MemoryStore;
  readonly toolSpecs: readonly ToolSpec[];
  /** Capabilities, policy, approvals, journal and audit log of the definition. */
  readonly governance: Governance;
}

/**
 * What a phase returns: its value at once when nothing it did had to wait (the in-memory
 * checkpoint store answers in the turn), or a promise of it. A handler that answers at once costs
 * the process no promise and no parking; one that waits parks the process until it settles, as
 * any async handler.
 */
export type Eventually<T> = T | Promise<T>;

/** How much of an answer an `agent.finished` event carries. */
const MAX_EVENT_TEXT = 4_000;

/**
 * The reason a task's signal aborts with when the task ends: the `AbortError` that `abort()`
 * would make, made once, since building one (with its stack) per task cost more than a step's
 * bookkeeping.
 */
const TASK_ENDED = Object.freeze(new DOMException('This operation was aborted', 'AbortError'));

/**
 * The plan-act-observe loop of one agent process. Each method runs inside one handler turn and
 * either finishes quickly or starts work beside the process that reports back as an
 * `AgentSignal`; a failure that ends the agent is thrown from the turn (so the process exits with
 * it as its reason) after the lifecycle records it.
 *
 * This class holds a task from its start to its end and dispatches the signals; the phases of a
 * step are in files of their own: the model call (`model-phase.ts`), acting on its tool calls and
 * observing their results (`act-phase.ts`), and compaction (`compaction-phase.ts`). They end a
 * step through `commit`, `next`, `finish` and `fail`.
 */
export class StepLoop {
  run: Run | undefined;
  refusedSpawns = 0;
  #runs = 0;
  readonly subagents: Subagents;
  /** This process's gate: the definition's governance narrowed by what its parent holds. */
  readonly gate: Gate;
  /** Whether this process exited, watched from its first task on (an idle agent has none). */
  #exit: ProcessExit | undefined;
  /** The checkpoint store when it is exactly the in-memory one: committed to without a wait. */
  readonly #memory: MemoryCheckpointStore | undefined;

  constructor(
    readonly runtime: Runtime,
    readonly ctx: ActorContext,
    readonly lifecycle: AgentLifecycle,
    readonly tokenizer: Tokenizer,
    tree: TreeCounter,
    inherited?: InheritedGovernance,
  ) {
    this.gate = new Gate(governanceFor(runtime.governance, inherited));
    this.#memory = MemoryCheckpointStore.syncOf(runtime.checkpoints);
    this.subagents = new Subagents(ctx, runtime.spec, tree, (refused) => {
      if (refused) this.refusedSpawns++;
    });
    // A subagent holds at most what this agent holds, and freezes with it.
    this.subagents.inherited = {
      capabilities: this.gate.governance.capabilities,
      freeze: this.gate.governance.policy.freeze,
    };
  }

  /** Starts (or resumes) a task; resolves with the result at once when the thread is finished. */
  begin(threadId: string, task: string, origin: Origin): Eventually<AgentResult | undefined> {
    const memory = this.#memory;
    if (memory !== undefined) {
      const saved = memory.latestNow(threadId);
      if (saved === undefined || saved.result !== undefined) {
        return this.#begin(threadId, task, origin, saved, false);
      }
    }
    return this.#resume(threadId, task, origin);
  }

  /**
   * A thread that has a checkpoint and no result goes on through the store's interface, awaited,
   * whatever the store: a resume follows a crash, and the process that crashed may still have
   * work settling (a cut tool call whose gate writes its outcome), which gets those turns first,
   * as it always did. Resumes are rare; every new task takes the store's direct path.
   */
  async #resume(threadId: string, task: string, origin: Origin): Promise<AgentResult | undefined> {
    const saved = await this.runtime.checkpoints.latest(threadId);
    return this.#begin(threadId, task, origin, saved, true);
  }

  #begin(
    threadId: string,
    task: string,
    origin: Origin,
    saved: Checkpoint | undefined,
    awaited: boolean,
  ): Eventually<AgentResult | undefined> {
    const { ctx, runtime } = this;
    if (saved?.result !== undefined) {
      this.answer(origin, saved.result);
      return saved.result;
    }
    const exit = this.#exit ?? this.#watchExit();
    const run = new Run(++this.#runs, runtime.spec, this.tokenizer, {
      threadId,
      task: saved?.task ?? task,
      origin,
      now: ctx.now(),
      // A kill or any exit of the process aborts the task's model and tool calls with it.
      process: exit,
      ...(saved === undefined ? {} : { from: saved }),
    });
    this.run = run;
    exit.current = run;
    this.lifecycle.send({ type: 'agent.task' });
    const wallMs = runtime.spec.limits.wallMs;
    if (wallMs !== undefined) {
      const left = Math.max(0, wallMs - run.meter.spent(ctx.now()).wallMs);
      run.wallTimer = ctx.sendAfter(ctx.self, new AgentSignal('wall', run.id, undefined), left);
    }
    if (this.observed) {
      this.publishEvent({
        type: 'agent.task_started',
        agent: runtime.spec.name,
        threadId,
        resumed: saved !== undefined,
        step: run.step,
      });
    }
    const committed = awaited ? this.#commitAwaited(run) : this.commit(run);
    if (committed !== undefined) return committed.then(() => this.#started(run));
    return this.#started(run);
  }

  #watchExit(): ProcessExit {
    const exit = new ProcessExit();
    exit.watch(this.ctx);
    this.#exit = exit;
    return exit;
  }

  /** The task's first checkpoint is written: it acts on what its last step left, or steps. */
  #started(run: Run): undefined {
    const pending = pendingCalls(run);
    if (pending.length > 0) {
      // It died while acting: the calls its last step planned run again, with the same
      // idempotency keys (same thread, step, position and arguments), then the loop goes on.
      this.lifecycle.send({ type: 'agent.act', toolCalls: pending.length });
      act(this, run, pending, undefined);
    } else {
      this.next(run);
    }
    return undefined;
  }

  /** Handles one signal; gives the result when the task finished in this turn. */
  handle(signal: AgentSignal): Eventually<AgentResult | undefined> {
    const run = this.run;
    if (run === undefined || signal.runId !== run.id) return undefined; // a stale completion
    let handled: Eventually<AgentResult | undefined>;
    try {
      handled = this.#dispatch(run, signal);
    } catch (error) {
      this.#failed(run, error);
    }
    if (handled instanceof Promise)
      return handled.catch((error: unknown) => this.#failed(run, error));
    return handled;
  }

  /**
   * A budget or guard that refused in the middle of a turn ends the agent as its decision: the
   * lifecycle records it and the event says which budget. Anything else (a store that failed, a
   * bug) is a crash, reported as one; a failure already recorded only leaves.
   */
  #failed(run: Run, error: unknown): never {
    if (this.run === run && isAgentError(error)) this.fail(run, error);
    throw error;
  }

  #dispatch(run: Run, signal: AgentSignal): Eventually<AgentResult | undefined> {
    switch (signal.kind) {
      case 'step':
        return this.#step(run);
      case 'model':
        return onModel(this, run, signal.payload as ModelOutcome);
      case 'tools':
        return onTools(this, run, signal.payload as ToolsOutcome);
      case 'approval':
        onApproval(this, signal.payload as ApprovalPhase);
        return undefined;
      case 'compacted':
        return onCompacted(this, run, signal.payload as unknown);
      case 'wall': {
        const limit = this.runtime.spec.limits.wallMs as number;
        return this.fail(
          run,
          budgetExceeded({
            budget: 'wallMs',
            limit,
            spent: run.meter.spent(this.ctx.now()).wallMs,
          }),
        );
      }
      case 'fail':
        return this.fail(run, signal.payload);
      default:
        return undefined;
    }
  }

  /** Cancels the task in flight: its calls are aborted, its caller told `cancelled`. */
  cancel(): boolean {
    const run = this.run;
    if (run === undefined) return false;
    this.lifecycle.send({ type: 'agent.cancel' });
    this.#close(run);
    const result = this.#result(run, 'cancelled', '');
    this.answer(run.origin, result);
    for (const awaiter of run.awaiters) this.ctx.reply(awaiter, result);
    if (this.observed) {
      this.publishEvent({
        type: 'agent.cancelled',
        agent: this.runtime.spec.name,
        threadId: run.threadId,
        step: run.step,
      });
    }
    return true;
  }

  answerCall(from: CallRequest, result: AgentResult): void {
    this.ctx.reply(from, result);
  }

  answer(origin: Origin, result: AgentResult): void {
    if (origin.kind === 'call') this.ctx.reply(origin.from, result);
    else if (origin.kind === 'cast') {
      const message: AgentReply = { $agent: 'reply', tag: origin.tag, result };
      this.ctx.send(origin.replyTo, message);
    }
  }

  #step(run: Run): AgentResult | undefined {
    const { ctx, runtime } = this;
    run.meter.check(ctx.now());
    run.meter.admit('steps');
    const compaction = runtime.spec.compaction;
    if (compaction !== false && run.over(compaction.threshold * runtime.spec.contextWindow)) {
      compactContext(this, run);
      return undefined;
    }
    callModel(this, run);
    return undefined;
  }

  /** The model answered with text: the task is done, its caller and awaiters answered. */
  finish(run: Run, text: string): Eventually<AgentResult> {
    this.lifecycle.send({ type: 'agent.answer' });
    const result = this.#result(run, 'done', text);
    const committed = this.commit(run, result);
    if (committed !== undefined) return committed.then(() => this.#finished(run, result, text));
    return this.#finished(run, result, text);
  }

  #finished(run: Run, result: AgentResult, text: string): AgentResult {
    this.#close(run);
    this.answer(run.origin, result);
    for (const awaiter of run.awaiters) this.ctx.reply(awaiter, result);
    if (this.observed) {
      this.publishEvent({
        type: 'agent.finished',
        agent: this.runtime.spec.name,
        threadId: run.threadId,
        steps: run.step,
        spent: result.spent,
        // The answer, bounded: quality checks score it from the event stream alone.
        text: text.length > MAX_EVENT_TEXT ? `${text.slice(0, MAX_EVENT_TEXT)}...` : text,
      });
    }
    return result;
  }

  /** Ends the agent: the lifecycle records the failure, then the error leaves the turn. */
  fail(run: Run, error: unknown): never {
    const reason = error instanceof Error ? error.message : String(error);
    this.lifecycle.send({ type: 'agent.failed', reason });
    this.#close(run);
    if (this.observed) {
      const code = (error as { code?: unknown } | null)?.code;
      this.publishEvent({
        type: code === 'ERR_BUDGET_EXCEEDED' ? 'agent.budget_exceeded' : 'agent.failed',
        agent: this.runtime.spec.name,
        threadId: run.threadId,
        step: run.step,
        code,
        reason,
        detail: (error as { detail?: unknown } | null)?.detail,
      });
    }
    throw error;
  }

  #close(run: Run): void {
    run.abort(TASK_ENDED);
    if (this.#exit !== undefined) this.#exit.current = undefined;
    if (run.wallTimer !== undefined) this.ctx.cancelTimer(run.wallTimer);
    this.run = undefined;
  }

  #result(run: Run, outcome: AgentResult['outcome'], text: string): AgentResult {
    return {
      threadId: run.threadId,
      outcome,
      text,
      steps: run.step,
      spent: run.meter.spent(this.ctx.now()),
    };
  }

  /**
   * Checkpoints the run as it is now (with its result when it is done): done when it returns
   * (undefined) with the in-memory store, which throws a refusal; otherwise a promise of it.
   */
  commit(run: Run, result?: AgentResult): Promise<void> | undefined {
    // One reading of the clock: the checkpoint's time, and when the commit started.
    const started = this.ctx.now();
    // What the commit holds is the context as it is now, whatever changes while it is written.
    const { length, epoch } = run.ledger;
    const options = { expectedHead: run.head, unchangedBefore: run.unchangedSinceHead() };
    const memory = this.#memory;
    if (memory !== undefined) {
      const fields = run.checkpointFields(this.runtime.spec.name, this.lifecycle, started, result);
      memory.commitFieldsNow(fields, run.ledger.messages, options);
      this.#committed(run, fields.version, length, epoch, started);
      return undefined;
    }
    const checkpoint = run.checkpoint(this.runtime.spec.name, this.lifecycle, started, result);
    return this.runtime.checkpoints
      .commit(checkpoint, options)
      .then(() => this.#committed(run, checkpoint.version, length, epoch, started));
  }

  /** `commit` through the store's interface, awaited, whatever the store. */
  async #commitAwaited(run: Run): Promise<void> {
    const started = this.ctx.now();
    const checkpoint = run.checkpoint(this.runtime.spec.name, this.lifecycle, started, undefined);
    const { length, epoch } = run.ledger;
    await this.runtime.checkpoints.commit(checkpoint, {
      expectedHead: run.head,
      unchangedBefore: run.unchangedSinceHead(),
    });
    this.#committed(run, checkpoint.version, length, epoch, started);
  }

  /** `commit` as a promise whatever the store: a refusal rejects it. */
  commitLater(run: Run): Promise<void> {
    try {
      return this.commit(run) ?? Promise.resolve();
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #committed(run: Run, version: number, length: number, epoch: number, started: number): void {
    run.committed(version, length, epoch);
    if (this.observed) {
      this.publishEvent({
        type: 'agent.checkpoint',
        agent: this.runtime.spec.name,
        threadId: run.threadId,
        step: run.step,
        version,
        ms: this.ctx.now() - started,
      });
    }
  }

  /** The next step, as a message to the process: signals and calls are served in between. */
  next(run: Run): void {
    this.ctx.send(this.ctx.self, new AgentSignal('step', run.id, undefined));
  }

  /**
   * What a model call spent, reported up the tree (`ctx.report`): a supervisor's `meters` bound a
   * whole subtree across restarts, where the run's budget bounds one task. A subagent reports its
   * own calls, which pass over this agent to the same supervisors, so they are not reported again
   * here. A figure a provider got wrong (not a finite count) is not reported rather than crash.
   */
  report(response: ModelResponse): void {
    const { usage, model } = response;
    const tokens = usage.inputTokens + usage.outputTokens;
    if (Number.isFinite(tokens) && tokens >= 0) this.ctx.report('tokens', tokens);
    const cost = costOf(this.runtime.spec.prices, model, usage);
    if (cost !== undefined && Number.isFinite(cost) && cost >= 0) this.ctx.report('costUsd', cost);
  }

  /**
   * Whether anyone observes the node's events: a step builds an event's fields only then (the
   * phases ask before building them; `publish` asks again).
   */
  get observed(): boolean {
    return this.ctx.node.observed;
  }

  /** Publishes an agent event, built only when someone observes the node. */
  publish(type: string, fields: Record<string, unknown>): void {
    if (!this.ctx.node.observed) return;
    const event = { type, agent: this.runtime.spec.name, ...fields };
    this.ctx.publish(event);
  }

  /**
   * Publishes an event built whole by the caller (`type`, `agent`, then its fields), for the
   * events of every step and commit: a literal is one allocation, where `publish`'s spread of
   * the fields after `type` and `agent` copied them property by property.
   */
  publishEvent(event: {
    readonly type: string;
    readonly agent: string;
    readonly [field: string]: unknown;
  }): void {
    if (this.ctx.node.observed) this.ctx.publish(event);
  }
}
