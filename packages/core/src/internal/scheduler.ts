/** What the scheduler needs of a process: a queued flag, liveness, a turn, and a way to fail. */
export interface Runnable {
  queued: boolean;
  readonly dead: boolean;
  /** Runs one turn; returns how many messages it handled. */
  run(): number;
  /** The runtime itself failed while running this process: end it with the error. */
  fail(error: unknown): void;
}

const RESOLVED = Promise.resolve();
const COMPACT_AT = 4096;
/** A drained queue longer than this gives its array back instead of keeping it for next time. */
const KEEP_AT_MOST = 1024;

/** Messages one process may handle before the next runnable process gets its turn. */
export const DEFAULT_SLICE = 128;
/** Messages handled per drain before yielding to the event loop (timers, I/O). */
export const DEFAULT_BUDGET = 8_192;

/**
 * The run queue of a node. Draining chains on a resolved promise (the cheapest hop on Node 20);
 * after `budget` messages it yields with `setImmediate`, so timers and sockets are never starved
 * by a busy actor. A process is queued at most once (`proc.queued`).
 *
 * The queue is an array between `#head` and `#tail`, rewound to the start whenever it empties:
 * where each process schedules the next (a chain of spawns, a token passed on) it stays one slot
 * long instead of growing by a slot per turn until the budget runs out.
 */
export class Scheduler {
  #queue: (Runnable | undefined)[] = [];
  #head = 0;
  #tail = 0;
  #pending = false;
  #immediate: NodeJS.Immediate | undefined = undefined;
  readonly #budget: number;
  readonly slice: number;
  readonly #drain = (): void => this.#run();

  constructor(budget = DEFAULT_BUDGET, slice = DEFAULT_SLICE) {
    this.#budget = budget;
    this.slice = slice;
  }

  schedule(proc: Runnable): void {
    proc.queued = true;
    const queue = this.#queue;
    const tail = this.#tail;
    if (tail < queue.length) queue[tail] = proc;
    else queue.push(proc);
    this.#tail = tail + 1;
    if (!this.#pending) {
      this.#pending = true;
      RESOLVED.then(this.#drain);
    }
  }

  /** True when no process is waiting to run. */
  isIdle(): boolean {
    return !this.#pending;
  }

  /**
   * Forgets every queued process and a pending yield (the node has stopped: its processes are
   * dead), so no immediate outlives the node. A drain already chained on a promise finds nothing.
   */
  clear(): void {
    if (this.#immediate !== undefined) {
      clearImmediate(this.#immediate);
      this.#immediate = undefined;
      this.#pending = false;
    }
    for (let i = this.#head; i < this.#tail; i++) {
      const proc = this.#queue[i];
      if (proc !== undefined) proc.queued = false;
    }
    this.#queue.length = 0;
    this.#head = 0;
    this.#tail = 0;
  }

  #run(): void {
    this.#immediate = undefined;
    const queue = this.#queue;
    let budget = this.#budget;
    while (this.#head < this.#tail) {
      const proc = queue[this.#head] as Runnable;
      queue[this.#head++] = undefined;
      if (this.#head === this.#tail) {
        this.#head = 0;
        this.#tail = 0;
      }
      proc.queued = false;
      if (!proc.dead) {
        try {
          budget -= proc.run();
        } catch (error) {
          // Handlers' throws are caught by the runners; reaching here means the runtime itself
          // failed for this process. End it, and never let the drain stop with #pending set.
          budget--;
          proc.fail(error);
        }
      }
      if (budget <= 0 && this.#head < this.#tail) {
        if (this.#head >= COMPACT_AT) {
          const live = this.#tail - this.#head;
          queue.copyWithin(0, this.#head, this.#tail);
          queue.fill(undefined, live, this.#tail);
          this.#head = 0;
          this.#tail = live;
        }
        this.#immediate = setImmediate(this.#drain);
        return;
      }
    }
    if (queue.length > KEEP_AT_MOST) queue.length = 0;
    this.#pending = false;
  }
}
