import type { Pid } from './pid.js';

/**
 * Why a message was not delivered. Every undelivered message is counted under one of these;
 * nothing is dropped silently.
 */
export type DeadLetterReason =
  | 'noproc'
  | 'unknown-name'
  | 'stale-incarnation'
  | 'noconnection'
  | 'backpressure'
  | 'unencodable'
  | 'node-stopped'
  | 'mailbox-full'
  | 'process-exited'
  | 'fenced'
  | 'late-reply'
  | 'poison-message'
  | 'unhandled'
  | 'malformed-envelope'
  | 'misrouted';

export interface DeadLetter {
  readonly to: Pid | string;
  readonly message: unknown;
  readonly reason: DeadLetterReason;
  readonly time: number;
}

export const DEFAULT_DEAD_LETTER_HISTORY = 100;

/**
 * The node's dead-letter sink: a total, a count per reason, and the most recent letters in a
 * bounded ring (the count is exact; the history is a window).
 */
export class DeadLetters {
  #total = 0;
  #byReason = new Map<DeadLetterReason, number>();
  #recent: DeadLetter[] = [];
  #next = 0;
  readonly #history: number;

  constructor(history = DEFAULT_DEAD_LETTER_HISTORY) {
    this.#history = history;
  }

  get count(): number {
    return this.#total;
  }

  countOf(reason: DeadLetterReason): number {
    return this.#byReason.get(reason) ?? 0;
  }

  byReason(): ReadonlyMap<DeadLetterReason, number> {
    return new Map(this.#byReason);
  }

  /** The most recent dead letters, oldest first (at most the configured history). */
  recent(): DeadLetter[] {
    if (this.#recent.length < this.#history) return this.#recent.slice();
    return [...this.#recent.slice(this.#next), ...this.#recent.slice(0, this.#next)];
  }

  /** @internal Called by the node. */
  record(letter: DeadLetter): void {
    this.#total++;
    this.#byReason.set(letter.reason, (this.#byReason.get(letter.reason) ?? 0) + 1);
    if (this.#history === 0) return;
    if (this.#recent.length < this.#history) this.#recent.push(letter);
    else {
      this.#recent[this.#next] = letter;
      this.#next = (this.#next + 1) % this.#history;
    }
  }
}
