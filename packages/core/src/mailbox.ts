import { invalidArgument } from './errors.js';
import { isSystemMessage } from './messages.js';

/**
 * What happens to a user message that arrives at a full mailbox:
 * - `drop-newest`: the arriving message becomes a dead letter (default);
 * - `drop-oldest`: the oldest user message becomes a dead letter and the new one is queued;
 * - `reject`: a local sender's `send`/`cast` throws `ERR_MAILBOX_FULL` and its `call` rejects,
 *   so the sender still holds the message; from a remote sender it becomes a dead letter.
 */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest' | 'reject';

export interface MailboxOptions {
  /** Maximum queued user messages. System messages (EXIT, DOWN) are never counted or dropped. */
  readonly capacity: number;
  readonly overflow: OverflowPolicy;
}

export const DEFAULT_MAILBOX: MailboxOptions = Object.freeze({
  capacity: 10_000,
  overflow: 'drop-newest',
});

export function validateMailboxOptions(input: Partial<MailboxOptions> | undefined): MailboxOptions {
  if (input === undefined) return DEFAULT_MAILBOX;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalidArgument('mailbox', input, '{ capacity?, overflow? }');
  }
  const capacity = input.capacity ?? DEFAULT_MAILBOX.capacity;
  const overflow = input.overflow ?? DEFAULT_MAILBOX.overflow;
  if (!(capacity >= 1) || (capacity !== Number.POSITIVE_INFINITY && !Number.isInteger(capacity))) {
    throw invalidArgument('mailbox.capacity', capacity, 'an integer >= 1 or Infinity');
  }
  if (overflow !== 'drop-newest' && overflow !== 'drop-oldest' && overflow !== 'reject') {
    throw invalidArgument('mailbox.overflow', overflow, "'drop-newest' | 'drop-oldest' | 'reject'");
  }
  if (capacity === DEFAULT_MAILBOX.capacity && overflow === DEFAULT_MAILBOX.overflow) {
    return DEFAULT_MAILBOX;
  }
  return Object.freeze({ capacity, overflow });
}

/** Returned by `shift`/`extract` when nothing is there (messages may be `undefined`). */
export const EMPTY: unique symbol = Symbol('warden.empty');

const INITIAL_CAPACITY = 4;

/**
 * A FIFO queue on a growable ring buffer: O(1) push and shift with no allocation in the steady
 * state, selective extraction that keeps the order of what it leaves, and a count of user
 * messages for the bound. A lone message is held without a buffer, and the buffer is created on
 * the second, so an idle process, or one that only ever holds one message, pays nothing for it.
 *
 * User and system messages share one queue, so a process's messages and its exit signal keep
 * their order (OTP's per-pair guarantee); the system lane is a matter of accounting, not of
 * position.
 */
export class Mailbox {
  #buf: unknown[] | undefined = undefined;
  /** The only message, while there is one and no buffer yet: most processes never need one. */
  #one: unknown = undefined;
  #head = 0;
  #size = 0;
  /** Queued system messages: rare, so counting them (not user ones) lets `shift` skip a check. */
  #system = 0;

  /** All queued messages. */
  get size(): number {
    return this.#size;
  }

  /** Queued user messages: what the bound applies to. */
  get userSize(): number {
    return this.#size - this.#system;
  }

  push(message: unknown, system: boolean): void {
    let buf = this.#buf;
    if (buf === undefined) {
      if (system) this.#system++;
      if (this.#size === 0) {
        this.#one = message;
        this.#size = 1;
        return;
      }
      buf = this.#buf = new Array(INITIAL_CAPACITY);
      buf[0] = this.#one;
      buf[1] = message;
      this.#one = undefined;
      this.#head = 0;
      this.#size = 2;
      return;
    } else if (this.#size === buf.length) {
      buf = this.#grow(buf);
    }
    buf[(this.#head + this.#size) & (buf.length - 1)] = message;
    this.#size++;
    if (system) this.#system++;
  }

  shift(): unknown {
    if (this.#size === 0) return EMPTY;
    const buf = this.#buf;
    if (buf === undefined) {
      const only = this.#one;
      this.#one = undefined;
      this.#size = 0;
      this.#system = 0;
      return only;
    }
    const message = buf[this.#head];
    buf[this.#head] = undefined;
    this.#head = (this.#head + 1) & (buf.length - 1);
    this.#size--;
    if (this.#system > 0 && isSystemMessage(message)) this.#system--;
    return message;
  }

  /** Removes and returns the oldest message that matches, leaving the rest in order. */
  extract(match: (message: unknown) => boolean): unknown {
    const buf = this.#buf;
    if (buf === undefined) return this.#size === 1 && match(this.#one) ? this.shift() : EMPTY;
    const mask = buf.length - 1;
    for (let i = 0; i < this.#size; i++) {
      const message = buf[(this.#head + i) & mask];
      if (!match(message)) continue;
      if (i === 0) return this.shift();
      // Close the gap by moving the later messages one slot towards the head.
      for (let j = i; j < this.#size - 1; j++) {
        buf[(this.#head + j) & mask] = buf[(this.#head + j + 1) & mask];
      }
      buf[(this.#head + this.#size - 1) & mask] = undefined;
      this.#size--;
      if (isSystemMessage(message)) this.#system--;
      return message;
    }
    return EMPTY;
  }

  /** Removes and returns the oldest user message (for `drop-oldest`). */
  dropOldestUser(): unknown {
    return this.extract((m) => !isSystemMessage(m));
  }

  /** Removes every message that matches, in one pass; returns how many. */
  removeAll(match: (message: unknown) => boolean): number {
    const before = this.#size;
    const kept: unknown[] = [];
    for (const message of this.drain()) {
      if (match(message)) continue;
      kept.push(message);
    }
    for (const message of kept) this.push(message, isSystemMessage(message));
    return before - kept.length;
  }

  /** Empties the mailbox, returning its messages oldest first. */
  drain(): unknown[] {
    const out = this.toArray();
    this.#buf = undefined;
    this.#one = undefined;
    this.#head = 0;
    this.#size = 0;
    this.#system = 0;
    return out;
  }

  /** A snapshot, oldest first, for inspection and tests. */
  toArray(): unknown[] {
    const buf = this.#buf;
    if (buf === undefined) return this.#size === 1 ? [this.#one] : [];
    const out = new Array(this.#size);
    for (let i = 0; i < this.#size; i++) out[i] = buf[(this.#head + i) & (buf.length - 1)];
    return out;
  }

  /**
   * Doubles the buffer in place. The queue is full, so it runs from `head` to the end and wraps to
   * `head - 1`; the wrapped part moves just past the old end, which keeps it contiguous under the
   * new mask. A queue that never wrapped (a burst not yet consumed) moves nothing.
   */
  #grow(buf: unknown[]): unknown[] {
    const n = buf.length;
    buf.length = n * 2;
    for (let i = 0; i < this.#head; i++) {
      buf[n + i] = buf[i];
      buf[i] = undefined;
    }
    return buf;
  }
}
