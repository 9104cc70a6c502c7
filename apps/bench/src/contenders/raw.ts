const RESOLVED = Promise.resolve();

/** What a raw actor does with one message. */
export type RawHandler<M> = (message: M, self: RawActor<M>) => void;

/**
 * The raw baseline: the practical limit of an in-process Node actor. A mailbox (an array and a
 * head index) drained by chaining once on a resolved promise, and nothing else: no process table,
 * no bound, no fairness budget, no links or monitors. A handler that throws stops the actor and
 * reports to `onCrash`, which is all a minimal supervisor needs.
 */
export class RawActor<M> {
  #queue: (M | undefined)[] = [];
  #head = 0;
  #scheduled = false;
  #stopped = false;
  readonly #handler: RawHandler<M>;
  readonly #onCrash: ((error: unknown) => void) | undefined;
  readonly #drain = (): void => this.#run();

  constructor(handler: RawHandler<M>, onCrash?: (error: unknown) => void) {
    this.#handler = handler;
    this.#onCrash = onCrash;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  send(message: M): void {
    if (this.#stopped) return;
    this.#queue.push(message);
    if (!this.#scheduled) {
      this.#scheduled = true;
      RESOLVED.then(this.#drain);
    }
  }

  /** Stops at once: queued messages are dropped, later sends are ignored. */
  stop(): void {
    this.#stopped = true;
    this.#queue = [];
    this.#head = 0;
  }

  #run(): void {
    const queue = this.#queue;
    try {
      while (this.#head < queue.length && !this.#stopped) {
        const message = queue[this.#head] as M;
        queue[this.#head++] = undefined;
        this.#handler(message, this);
      }
    } catch (error) {
      this.stop();
      this.#onCrash?.(error);
    }
    if (!this.#stopped) {
      queue.length = 0;
      this.#head = 0;
    }
    this.#scheduled = false;
  }
}
