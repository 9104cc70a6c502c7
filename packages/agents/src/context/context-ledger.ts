import type { Message } from '../model/message.js';
import type { Tokenizer } from './tokenizer.js';

/**
 * The conversation an agent sends, with its token count kept up to date incrementally: each
 * message is counted once, when it enters, so a step costs the new messages' tokens and not a
 * recount of the history. `recount()` is the full recount the tests hold the running total to.
 */
export class ContextLedger {
  readonly #tokenizer: Tokenizer;
  readonly #messages: Message[] = [];
  readonly #counts: number[] = [];
  readonly #system: string;
  readonly #systemTokens: number;
  #total = 0;

  constructor(tokenizer: Tokenizer, system = '') {
    this.#tokenizer = tokenizer;
    this.#system = system;
    this.#systemTokens = system === '' ? 0 : tokenizer.count(system);
  }

  /** Tokens of the system prompt and every message. */
  get tokens(): number {
    return this.#systemTokens + this.#total;
  }

  get length(): number {
    return this.#messages.length;
  }

  get messages(): readonly Message[] {
    return this.#messages;
  }

  tokensAt(index: number): number {
    return this.#counts[index] ?? 0;
  }

  append(message: Message): void {
    const n = this.#tokenizer.countMessage(message);
    this.#messages.push(message);
    this.#counts.push(n);
    this.#total += n;
  }

  /** Replaces message `index` (compaction rewrites old tool results in place). */
  replace(index: number, message: Message): void {
    if (index < 0 || index >= this.#messages.length) throw new RangeError(`no message ${index}`);
    const n = this.#tokenizer.countMessage(message);
    this.#total += n - (this.#counts[index] as number);
    this.#messages[index] = message;
    this.#counts[index] = n;
  }

  /** Replaces the messages in [start, end) with `messages` (summaries, offloads). */
  splice(start: number, end: number, messages: readonly Message[]): void {
    const counts = messages.map((m) => this.#tokenizer.countMessage(m));
    const removed = this.#counts.splice(start, end - start, ...counts);
    this.#messages.splice(start, end - start, ...messages);
    for (const n of removed) this.#total -= n;
    for (const n of counts) this.#total += n;
  }

  /** Counts everything again from scratch; equal to `tokens` unless something is broken. */
  recount(): number {
    let total = this.#system === '' ? 0 : this.#tokenizer.count(this.#system);
    for (const message of this.#messages) total += this.#tokenizer.countMessage(message);
    return total;
  }
}
