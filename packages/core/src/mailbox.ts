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

const COMPACT_AT = 1024;

/**
 * A FIFO queue with O(1) push and shift, selective extraction that keeps the order of what it
 * leaves, and a count of user messages for the bound. User and system messages share one queue,
 * so a process's messages and its exit signal keep their order (OTP's per-pair guarantee); the
 * system lane is a matter of accounting, not of position.
 */
export class Mailbox {
  #items: unknown[] = [];
  #head = 0;
  #user = 0;

  /** All queued messages. */
  get size(): number {
    return this.#items.length - this.#head;
  }

  /** Queued user messages: what the bound applies to. */
  get userSize(): number {
    return this.#user;
  }

  push(message: unknown, system: boolean): void {
    this.#items.push(message);
    if (!system) this.#user++;
  }

  shift(): unknown {
    if (this.#head >= this.#items.length) return EMPTY;
    const message = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head >= COMPACT_AT && this.#head * 2 >= this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    if (!isSystemMessage(message)) this.#user--;
    return message;
  }

  /** Removes and returns the oldest message that matches, leaving the rest in order. */
  extract(match: (message: unknown) => boolean): unknown {
    const items = this.#items;
    for (let i = this.#head; i < items.length; i++) {
      const message = items[i];
      if (match(message)) {
        if (i === this.#head) return this.shift();
        items.splice(i, 1);
        if (!isSystemMessage(message)) this.#user--;
        return message;
      }
    }
    return EMPTY;
  }

  /** Removes and returns the oldest user message (for `drop-oldest`). */
  dropOldestUser(): unknown {
    return this.extract((m) => !isSystemMessage(m));
  }

  /** Removes every message that matches, in one pass; returns how many. */
  removeAll(match: (message: unknown) => boolean): number {
    const kept: unknown[] = [];
    let removed = 0;
    for (let i = this.#head; i < this.#items.length; i++) {
      const message = this.#items[i];
      if (match(message)) {
        removed++;
        if (!isSystemMessage(message)) this.#user--;
      } else {
        kept.push(message);
      }
    }
    if (removed > 0) {
      this.#items = kept;
      this.#head = 0;
    }
    return removed;
  }

  /** Empties the mailbox, returning its messages oldest first. */
  drain(): unknown[] {
    const out = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    this.#user = 0;
    return out;
  }

  /** A snapshot, oldest first, for inspection and tests. */
  toArray(): unknown[] {
    return this.#items.slice(this.#head);
  }
}
