import { setMaxListeners } from 'node:events';
import type { CallRequest, Pid, Ref } from '@warden/core';
import type { AgentLifecycle } from '@warden/machines';
import { ContextLedger } from '../context/context-ledger.js';
import type { Tokenizer } from '../context/tokenizer.js';
import type { Message } from '../model/message.js';
import type { AgentResult, Checkpoint } from '../store/checkpoint.js';
import type { ResolvedAgentSpec } from './agent-spec.js';
import { BudgetMeter } from './budget.js';
import { LoopGuard } from './loop-guard.js';

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
 */
export class Run {
  /** Distinguishes this run's completions from those of a run cancelled before it. */
  readonly id: number;
  readonly threadId: string;
  readonly task: string;
  readonly origin: Origin;
  readonly awaiters: CallRequest[] = [];
  readonly ledger: ContextLedger;
  readonly meter: BudgetMeter;
  readonly guard: LoopGuard;
  /** Aborted when the task is cancelled or fails: cancels its model call and tool calls. */
  readonly controller = new AbortController();
  readonly abortWithProcess = (): void => this.controller.abort();
  step: number;
  /** The run's head in the checkpoint store (0: never committed). */
  head: number;
  /** Which model serves: 0 the primary, i the fallback i. */
  modelIndex = 0;
  /** A context_length error is answered by one compaction and one retry, not more. */
  contextRetried = false;
  wallTimer: Ref | undefined;
  /** Our count of the context when the last model call was made. */
  tokensAtCall = 0;
  /**
   * How many input tokens the provider counted beyond our own count of the same request (tool
   * schemas, its framing, a tokenizer that is not ours): the measured error of our count, added
   * to it when deciding whether to compact, so an undercount never lets the context overflow.
   */
  uncounted = 0;

  constructor(
    id: number,
    spec: ResolvedAgentSpec,
    tokenizer: Tokenizer,
    init: {
      readonly threadId: string;
      readonly task: string;
      readonly origin: Origin;
      readonly now: number;
      readonly from?: Checkpoint;
    },
  ) {
    this.id = id;
    // Every call of the task (tool calls, subagent waits, their timers) listens to this one
    // signal; a planner waiting on many subagents legitimately has dozens of listeners.
    setMaxListeners(MAX_LISTENERS, this.controller.signal);
    this.threadId = init.threadId;
    this.task = init.task;
    this.origin = init.origin;
    this.ledger = new ContextLedger(tokenizer, spec.system);
    this.guard = new LoopGuard(spec.guard);
    const from = init.from;
    this.meter = new BudgetMeter(spec.limits, spec.prices, init.now, from?.spent);
    this.step = from?.step ?? 0;
    this.head = from?.version ?? 0;
    if (from === undefined) {
      this.ledger.append(taskMessage(init.task));
    } else {
      for (const message of from.messages) this.ledger.append(message);
    }
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
