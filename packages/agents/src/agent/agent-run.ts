import { setMaxListeners } from 'node:events';
import type { CallRequest, Pid, Ref } from '@warden/core';
import type { AgentLifecycle } from '@warden/machines';
import { ContextLedger } from '../context/context-ledger.js';
import type { Tokenizer } from '../context/tokenizer.js';
import type { Message } from '../model/message.js';
import type { AgentResult, Checkpoint } from '../store/checkpoint.js';
import type { TaskSignal } from '../tools/task-signal.js';
import type { ResolvedAgentSpec } from './agent-spec.js';
import { BudgetMeter } from './budget.js';
import { LoopGuard } from './loop-guard.js';
import { NO_PROCESS, type ProcessExit } from './process-exit.js';

/** Listeners a task's signal may have before Node warns of a leak. */
const MAX_LISTENERS = 1_000;

/** Who is waiting for a task's result: a caller, or a pid a cast named. */
export type Origin =
  | { readonly kind: 'call'; readonly from: CallRequest }
  | { readonly kind: 'cast'; readonly replyTo: Pid; readonly tag: unknown }
  | { readonly kind: 'none' };

/**
 * One task in flight: its context, what it spent, its guard, and who waits for it. A run is
 * rebuilt from a checkpoint when a task is resumed, so everything a resumed run needs is either
 * here and committed, or recomputed.
 *
 * The run is also its task's abort (`TaskSignal`): `signal`, the `AbortSignal` its model and tool
 * calls get, is made when something first reads it, with the run's state then (aborted with the
 * reason of an abort that came first, or with the process's exit: the `ERR_ABORTED` of the
 * process's own signal, which names the exit reason); `aborted` answers without
 * making it. A task whose calls never read it (a model that answers at once, tools that answer
 * synchronously) makes none, and its end aborts nothing: making, listening and aborting one cost
 * more than a step's own bookkeeping.
 */
export class Run implements TaskSignal {
  /** Distinguishes this run's completions from those of a run cancelled before it. */
  readonly id: number;
  readonly threadId: string;
  readonly task: string;
  readonly origin: Origin;
  readonly awaiters: CallRequest[] = [];
  readonly ledger: ContextLedger;
  readonly meter: BudgetMeter;
  readonly guard: LoopGuard;
  /** Made on first read of `signal`; aborted when the task ends, is cancelled or fails. */
  #controller: AbortController | undefined;
  /** An abort that came before the signal was made: the signal is born aborted with its reason. */
  #abort: { readonly reason: unknown } | undefined;
  /**
   * Listeners added through the run itself (`TaskSignal`: the tool runner, the gate, a scripted
   * model's wait), called when the task aborts; they need no `AbortSignal`, so a task whose calls
   * wait only through the run makes none. Every listener is called once: an abort happens once.
   */
  #listeners: (() => void)[] | undefined;
  /** Whether the process exited: its exit aborts the task's calls. */
  readonly #process: ProcessExit;
  step: number;
  /** The run's head in the checkpoint store (0: never committed). */
  head: number;
  /** How long the context was, and its epoch, at the head: what the next commit shares. */
  #headLength: number;
  #headEpoch = 0;
  /** Which model serves: 0 the primary, i the fallback i. */
  modelIndex = 0;
  /** A context_length error is answered by one compaction and one retry, not more. */
  contextRetried = false;
  wallTimer: Ref | undefined;
  /** What the act phase makes once per run, for every tool call of it (`act-phase.ts`). */
  acting: unknown = undefined;
  /** How long the context was, and its epoch, when the last model call was made. */
  #callLength = 0;
  #callEpoch = 0;
  /**
   * What the provider counted of a call's input, with the context's length and epoch at that
   * call, while `#uncounted` is not worked out from it yet.
   */
  #reported: number | undefined = undefined;
  #reportedLength = 0;
  #reportedEpoch = 0;
  #uncounted = 0;

  constructor(
    id: number,
    spec: ResolvedAgentSpec,
    tokenizer: Tokenizer,
    init: {
      readonly threadId: string;
      readonly task: string;
      readonly origin: Origin;
      readonly now: number;
      /** The process's exit (watched by its step loop); none: a run no process's exit aborts. */
      readonly process?: ProcessExit;
      readonly from?: Checkpoint;
    },
  ) {
    this.id = id;
    this.#process = init.process ?? NO_PROCESS;
    this.threadId = init.threadId;
    this.task = init.task;
    this.origin = init.origin;
    this.ledger = new ContextLedger(tokenizer, spec.system);
    this.guard = new LoopGuard(spec.guard);
    const from = init.from;
    this.meter = new BudgetMeter(spec.limits, spec.prices, init.now, from?.spent);
    this.step = from?.step ?? 0;
    this.head = from?.version ?? 0;
    this.#headLength = from?.messages.length ?? 0;
    if (from === undefined) {
      this.ledger.append(taskMessage(init.task));
    } else {
      for (const message of from.messages) this.ledger.append(message);
    }
  }

  /** The task's signal, made now if nobody read it before. */
  get signal(): AbortSignal {
    return (this.#controller ?? this.#made()).signal;
  }

  /** Whether the task is aborted (or its process exited), without making its signal. */
  get aborted(): boolean {
    const controller = this.#controller;
    if (controller !== undefined) return controller.signal.aborted;
    return this.#abort !== undefined || this.#process.exited;
  }

  /** Why the task was aborted (read once it is), without making its signal. */
  get reason(): unknown {
    const controller = this.#controller;
    if (controller !== undefined) return controller.signal.reason;
    const abort = this.#abort;
    if (abort !== undefined) return abort.reason;
    return this.#process.exited ? this.#process.reason : undefined;
  }

  /**
   * Calls `listener` when the task aborts, as an `AbortSignal` would (once; never for a task
   * aborted already), without making the task's signal.
   */
  addEventListener(type: 'abort', listener: () => void): void {
    if (type !== 'abort' || this.aborted) return;
    const listeners = this.#listeners;
    if (listeners === undefined) this.#listeners = [listener];
    else listeners.push(listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    const listeners = this.#listeners;
    if (type !== 'abort' || listeners === undefined) return;
    const at = listeners.lastIndexOf(listener);
    if (at >= 0) listeners.splice(at, 1);
  }

  /** Aborts the task's calls; the first abort's reason stands. */
  abort(reason?: unknown): void {
    if (this.aborted) return;
    const controller = this.#controller;
    if (controller === undefined) this.#abort = { reason };
    else controller.abort(reason);
    this.#notify();
  }

  /**
   * The process exited: the task's signal, if it was made, aborts with the process signal's
   * reason (`ERR_ABORTED`, naming the exit reason), made once by core without a stack; an
   * `abort()` without a reason would make a `DOMException`, with its stack, per exit.
   */
  processExited(reason: unknown): void {
    const controller = this.#controller;
    if (controller !== undefined) {
      if (controller.signal.aborted) return;
      controller.abort(reason);
    } else if (this.#abort !== undefined) {
      return;
    }
    this.#notify();
  }

  /**
   * Calls the run's own listeners, once each. One that throws is reported as an uncaught
   * exception after the others ran, as an `AbortSignal`'s listener's would be.
   */
  #notify(): void {
    const listeners = this.#listeners;
    if (listeners === undefined) return;
    this.#listeners = undefined;
    for (const listener of listeners) {
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  #made(): AbortController {
    const controller = new AbortController();
    this.#controller = controller;
    // Every call of the task (tool calls, subagent waits, their timers) listens to this one
    // signal; a planner waiting on many subagents legitimately has dozens of listeners.
    setMaxListeners(MAX_LISTENERS, controller.signal);
    const abort = this.#abort;
    if (abort !== undefined) controller.abort(abort.reason);
    else if (this.#process.exited) controller.abort(this.#process.reason);
    return controller;
  }

  /**
   * How many input tokens the provider counted beyond our own count of the same request (tool
   * schemas, its framing, a tokenizer that is not ours): the measured error of our count, added
   * to it when deciding whether to compact, so an undercount never lets the context overflow.
   * Worked out (with the exact count of the request) the first time it is read after a call.
   */
  get uncounted(): number {
    this.settleUncounted();
    return this.#uncounted;
  }

  /** Works the measured error out now: before anything rewrites the context (compaction). */
  settleUncounted(): void {
    const reported = this.#reported;
    if (reported === undefined) return;
    if (this.ledger.epoch !== this.#reportedEpoch)
      throw new Error('the context was rewritten before its call was measured');
    this.#uncounted = Math.max(0, reported - this.ledger.tokensBefore(this.#reportedLength));
    this.#reported = undefined;
  }

  /** Records the context a model call is made with (the messages it holds now). */
  calling(): void {
    this.#callLength = this.ledger.length;
    this.#callEpoch = this.ledger.epoch;
  }

  /**
   * Records what the provider counted of the last call's input; a figure that is not a positive
   * finite count (a provider that reports none) leaves the measured error as it was.
   */
  measured(reported: number): void {
    if (!(Number.isFinite(reported) && reported > 0)) return;
    this.#reported = reported;
    this.#reportedLength = this.#callLength;
    this.#reportedEpoch = this.#callEpoch;
  }

  /**
   * Whether the context plus its measured error is over `limit` tokens: exactly as an exact
   * count decides, tokenizing only when an upper bound does not already settle it. Until the
   * call's error is worked out, the context since the call has grown by appends only, so the
   * figure is max(context, reported + what was appended) and each term has a cheap bound.
   */
  over(limit: number): boolean {
    const ledger = this.ledger;
    const reported = this.#reported;
    const bound =
      reported !== undefined && ledger.epoch === this.#reportedEpoch
        ? Math.max(ledger.bound, reported + ledger.boundFrom(this.#reportedLength))
        : ledger.bound + this.#uncounted;
    if (bound <= limit) return false;
    return ledger.tokens + this.uncounted > limit;
  }

  /**
   * How many messages at the start of the context are those of the head checkpoint: all it had
   * while the context was only appended to since, none once it was rewritten (compaction).
   */
  unchangedSinceHead(): number {
    return this.ledger.epoch === this.#headEpoch
      ? Math.min(this.#headLength, this.ledger.length)
      : 0;
  }

  /** Records a commit of the context as it is now (`version`, the new head). */
  committed(version: number, length: number, epoch: number): void {
    this.head = version;
    this.#headLength = length;
    this.#headEpoch = epoch;
  }

  /** The fields of the next checkpoint but its messages (the ledger's), a fresh object. */
  checkpointFields(
    agent: string,
    lifecycle: AgentLifecycle,
    now: number,
    result: AgentResult | undefined,
  ): Omit<Checkpoint, 'messages'> {
    const fields = {
      threadId: this.threadId,
      version: this.head + 1,
      agent,
      task: this.task,
      step: this.step,
      state: lifecycle.state,
      spent: this.meter.spent(now),
    };
    return result === undefined ? fields : { ...fields, result };
  }

  checkpoint(
    agent: string,
    lifecycle: AgentLifecycle,
    now: number,
    result?: AgentResult,
  ): Checkpoint {
    return {
      threadId: this.threadId,
      version: this.head + 1,
      agent,
      task: this.task,
      step: this.step,
      state: lifecycle.state,
      messages: this.ledger.messages,
      spent: this.meter.spent(now),
      ...(result === undefined ? {} : { result }),
    };
  }
}

/** The anchor: the task as the user gave it, the first message of every run. */
export function taskMessage(task: string): Message {
  return { role: 'user', content: [{ type: 'text', text: task }] };
}

/** What the runtime tells the model in the conversation (an empty answer, a guard's nudge). */
export function noteMessage(text: string): Message {
  return { role: 'user', content: [{ type: 'text', text }] };
}
