import type { Fault } from '../fault.js';
import type { MessageAction } from './chaos-behaviour.js';
import type { ToolAction } from './chaos-tool.js';

/**
 * The counted faults of a schedule, indexed: what to do to the Nth message of each label, the
 * Nth call of each tool, and which client requests to send again. Counting starts when the plan
 * is armed (after the setup); the first fault named for an N wins.
 */
export class SchedulePlan {
  readonly #messages = new Map<string, Map<number, MessageAction>>();
  readonly #messageCounts = new Map<string, number>();
  readonly #tools = new Map<string, Map<number, ToolAction>>();
  readonly #toolCounts = new Map<string, number>();
  readonly #redeliver = new Set<number>();
  #armed = false;

  constructor(schedule: readonly Fault[]) {
    for (const f of schedule) {
      if (f.kind === 'crash-on-message') {
        plan(this.#messages, f.label, f.nth, { type: 'crash', reason: f.reason });
      } else if (f.kind === 'hang') {
        plan(this.#messages, f.label, f.nth, { type: 'hang' });
      } else if (f.kind === 'slow') {
        plan(this.#messages, f.label, f.nth, { type: 'slow', ms: f.ms });
      } else if (f.kind === 'tool') {
        const action: ToolAction =
          f.failure === 'slow' ? { type: 'slow', ms: f.ms ?? 0 } : { type: f.failure };
        plan(this.#tools, f.tool, f.nth, action);
      } else if (f.kind === 'redeliver') {
        this.#redeliver.add(f.nth);
      }
    }
  }

  arm(): void {
    this.#armed = true;
  }

  /** Counts a message of `label`; its number and what to do to it, once armed. */
  message(label: string): { readonly nth: number; readonly action: MessageAction | undefined } {
    return this.#count(this.#messages, this.#messageCounts, label);
  }

  /** Counts a call of `tool`; its number and what to do to it, once armed. */
  toolCall(tool: string): { readonly nth: number; readonly action: ToolAction | undefined } {
    return this.#count(this.#tools, this.#toolCounts, tool);
  }

  redelivers(nth: number): boolean {
    return this.#redeliver.has(nth);
  }

  #count<A>(plans: Map<string, Map<number, A>>, counts: Map<string, number>, key: string) {
    if (!this.#armed) return { nth: 0, action: undefined };
    const nth = (counts.get(key) ?? 0) + 1;
    counts.set(key, nth);
    return { nth, action: plans.get(key)?.get(nth) };
  }
}

function plan<A>(plans: Map<string, Map<number, A>>, key: string, nth: number, action: A): void {
  let byNth = plans.get(key);
  if (byNth === undefined) {
    byNth = new Map();
    plans.set(key, byNth);
  }
  if (!byNth.has(nth)) byNth.set(nth, action);
}
