import type { Message } from '../model/message.js';
import { messageTokenBound, type Tokenizer, textTokenBound } from './tokenizer.js';

/** A message's exact count before it is known. */
const UNCOUNTED = -1;

/**
 * The conversation an agent sends, with two figures kept up to date incrementally:
 *
 * - `bound`: an upper bound of the token count, always current and O(1): each message's exact
 *   count where it is known, its UTF-8 byte length plus the per-message overhead where it is not
 *   (`messageTokenBound`; a byte-level BPE token is at least one byte).
 * - `tokens`: the exact count, as the tokenizer counts the system prompt and every message.
 *   Messages are tokenized lazily, each at most once (a replaced message is counted anew): reading
 *   `tokens` counts the ones not counted yet, so a run far under its compaction threshold never
 *   tokenizes at all, and one near it tokenizes each new message once, as before.
 *
 * `recount()` is the full recount the tests hold `tokens` to; `bound >= tokens` always, with
 * equality once everything is counted.
 */
export class ContextLedger {
  readonly #tokenizer: Tokenizer;
  readonly #messages: Message[] = [];
  /** Per message: its upper bound (always known). */
  readonly #bounds: number[] = [];
  /** Per message: its exact count, or `UNCOUNTED`. */
  readonly #exact: number[] = [];
  readonly #system: string;
  #systemTokens: number;
  /** Sum of the exact counts known. */
  #exactTotal = 0;
  /** Sum of the bounds of the messages not counted yet, and how many they are. */
  #pendingBound = 0;
  #pending = 0;
  #epoch = 0;

  constructor(tokenizer: Tokenizer, system = '') {
    this.#tokenizer = tokenizer;
    this.#system = system;
    this.#systemTokens = system === '' ? 0 : UNCOUNTED;
  }

  /** Exact tokens of the system prompt and every message (counts what is not counted yet). */
  get tokens(): number {
    this.#settle(0, this.#messages.length);
    return this.#countSystem() + this.#exactTotal;
  }

  /** An upper bound of `tokens`, got without tokenizing anything. */
  get bound(): number {
    const system =
      this.#systemTokens === UNCOUNTED ? textTokenBound(this.#system) : this.#systemTokens;
    return system + this.#exactTotal + this.#pendingBound;
  }

  get length(): number {
    return this.#messages.length;
  }

  get messages(): readonly Message[] {
    return this.#messages;
  }

  /**
   * Changes whenever a message is replaced or removed (never on `append`): a position recorded
   * with an epoch still names the same prefix of the conversation while the epoch is the same.
   */
  get epoch(): number {
    return this.#epoch;
  }

  /** Exact tokens of the system prompt and the first `end` messages. */
  tokensBefore(end: number): number {
    this.#settle(0, end);
    let total = this.#countSystem();
    for (let i = 0; i < end; i++) total += this.#exact[i] as number;
    return total;
  }

  /** An upper bound of the tokens of the messages from `start` on (exact where counted). */
  boundFrom(start: number): number {
    let total = 0;
    for (let i = start; i < this.#messages.length; i++) {
      const exact = this.#exact[i] as number;
      total += exact === UNCOUNTED ? (this.#bounds[i] as number) : exact;
    }
    return total;
  }

  /** Exact tokens of message `index` (0 if there is none). */
  tokensAt(index: number): number {
    if (index < 0 || index >= this.#messages.length) return 0;
    this.#settle(index, index + 1);
    return this.#exact[index] as number;
  }

  /** Appends `message`; `bound`, when the caller worked it out, is its `messageTokenBound`. */
  append(message: Message, bound = messageTokenBound(message)): void {
    this.#messages.push(message);
    this.#bounds.push(bound);
    this.#exact.push(UNCOUNTED);
    this.#pendingBound += bound;
    this.#pending++;
  }

  /** Replaces message `index` (compaction rewrites old tool results in place). */
  replace(index: number, message: Message): void {
    if (index < 0 || index >= this.#messages.length) throw new RangeError(`no message ${index}`);
    this.#forget(index);
    const bound = messageTokenBound(message);
    this.#messages[index] = message;
    this.#bounds[index] = bound;
    this.#pendingBound += bound;
    this.#pending++;
    this.#epoch++;
  }

  /** Replaces the messages in [start, end) with `messages` (summaries, offloads). */
  splice(start: number, end: number, messages: readonly Message[]): void {
    const from = Math.max(0, Math.min(start, this.#messages.length));
    const to = Math.max(from, Math.min(end, this.#messages.length));
    for (let i = from; i < to; i++) this.#forget(i);
    const bounds = messages.map(messageTokenBound);
    this.#messages.splice(from, to - from, ...messages);
    this.#bounds.splice(from, to - from, ...bounds);
    this.#exact.splice(from, to - from, ...messages.map(() => UNCOUNTED));
    for (const bound of bounds) this.#pendingBound += bound;
    this.#pending += messages.length;
    this.#epoch++;
  }

  /** Counts everything again from scratch; equal to `tokens` unless something is broken. */
  recount(): number {
    let total = this.#system === '' ? 0 : this.#tokenizer.count(this.#system);
    for (const message of this.#messages) total += this.#tokenizer.countMessage(message);
    return total;
  }

  /** Takes message `index` out of the totals. */
  #forget(index: number): void {
    const exact = this.#exact[index] as number;
    if (exact === UNCOUNTED) {
      this.#pendingBound -= this.#bounds[index] as number;
      this.#pending--;
    } else {
      this.#exactTotal -= exact;
      this.#exact[index] = UNCOUNTED;
    }
  }

  /** Counts the messages of [start, end) not counted yet. */
  #settle(start: number, end: number): void {
    if (this.#pending === 0) return;
    for (let i = start; i < end; i++) {
      if (this.#exact[i] !== UNCOUNTED) continue;
      const n = this.#tokenizer.countMessage(this.#messages[i] as Message);
      this.#exact[i] = n;
      this.#exactTotal += n;
      this.#pendingBound -= this.#bounds[i] as number;
      this.#pending--;
    }
  }

  #countSystem(): number {
    if (this.#systemTokens === UNCOUNTED) this.#systemTokens = this.#tokenizer.count(this.#system);
    return this.#systemTokens;
  }
}
