// Imported, not the global: on Node 20 the global `performance` is a getter read at every call.
import { performance } from 'node:perf_hooks';

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
 * Milliseconds an event-loop turn of the scheduler may last, before further drains wait for the
 * next turn (`setImmediate`). Time, not the node's clock: a fairness bound on how long the
 * scheduler holds the loop, like the message budget. A turn is counted from its first drain to
 * the loop's check phase, so it includes what the drains left behind them (the microtasks of the
 * handlers they ran, the timers those armed): see `#endTurn` for how the drains' own share adapts.
 */
export const TURN_SLICE_MS = 4;
/**
 * The least drain time a turn is given however much its drains leave behind. Progress does not
 * depend on it (a drain runs at least one process before it looks at the time).
 */
const MIN_WORK_MS = TURN_SLICE_MS / 64;
/**
 * How long a drain runs before it lets the promise continuations of the handlers it ran go
 * first (it goes on in a microtask queued after theirs): the turn's clock then sees them, so a
 * turn of handlers that each leave most of their work to continuations stops near its slice
 * even before the share has learnt their ratio (the first burst of a thousand tasks).
 */
const CHUNK_MS = TURN_SLICE_MS / 8;
/**
 * How many messages are handled between two readings of the time: a drain starts reading it
 * every few messages and reads it less often while messages stay cheap, never less than every
 * `MAX_STRIDE` (a drain that turns from cheap messages to costly ones is caught within that).
 */
const FIRST_STRIDE = 4;
const MIN_STRIDE = 1;
const MAX_STRIDE = 64;

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
  /** When the scheduler's work in this event-loop turn began (-1: none yet). */
  #turnStart = -1;
  /** Marks the end of the turn: runs in its check phase, and the next drain starts a new one. */
  #turnEnd: NodeJS.Immediate | undefined = undefined;
  /** Milliseconds the drains of this turn have run, themselves (their microtasks not counted). */
  #work = 0;
  /** How long the drains of one turn may run: the slice, less what they leave behind them. */
  #workLimit = TURN_SLICE_MS;
  readonly #budget: number;
  readonly slice: number;
  /**
   * Set while the node propagates trace context: runs a drain outside any context (a drain is
   * started from a microtask or an immediate, which inherit the context of the code that
   * scheduled them). One call per drain, none per message.
   */
  isolate: ((drain: () => void) => void) | undefined = undefined;
  readonly #runBound = (): void => this.#run();
  readonly #drain = (): void => {
    if (this.isolate === undefined) this.#run();
    else this.isolate(this.#runBound);
  };
  readonly #resume = (): void => {
    this.#immediate = undefined;
    if (this.#turnStart >= 0) this.#endTurn(performance.now());
    this.#drain();
  };
  readonly #newTurn = (): void => {
    this.#turnEnd = undefined;
    this.#endTurn(performance.now());
  };

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
    if (this.#turnEnd !== undefined) {
      clearImmediate(this.#turnEnd);
      this.#turnEnd = undefined;
    }
    this.#turnStart = -1;
    this.#work = 0;
    for (let i = this.#head; i < this.#tail; i++) {
      const proc = this.#queue[i];
      if (proc !== undefined) proc.queued = false;
    }
    this.#queue.length = 0;
    this.#head = 0;
    this.#tail = 0;
  }

  /**
   * Drains the queue. Every drain of one event-loop turn shares a time slice: a burst of timer
   * callbacks that each schedule a process (a thousand model answers expiring together) runs
   * their turns until the slice is spent, then leaves the rest to the check phase, one slice per
   * turn, so timers and I/O are served between slices instead of after the whole burst.
   */
  #run(): void {
    const queue = this.#queue;
    if (this.#head === this.#tail) {
      // Nothing to run (the queue was cleared): no turn to measure.
      this.#pending = false;
      return;
    }
    const start = performance.now();
    if (this.#turnStart < 0) {
      this.#turnStart = start;
      if (this.#turnEnd === undefined) this.#turnEnd = setImmediate(this.#newTurn);
    } else if (this.#work >= this.#workLimit || start - this.#turnStart >= TURN_SLICE_MS) {
      this.#immediate = setImmediate(this.#resume);
      return;
    }
    // This drain may run until the turn's drains have used their share, or the turn its slice.
    const stopAt = Math.min(start + this.#workLimit - this.#work, this.#turnStart + TURN_SLICE_MS);
    const chunkAt = start + CHUNK_MS;
    let budget = this.#budget;
    // One comparison per turn serves both bounds: at `checkAt` the time is read (and the budget
    // zeroed once the slice is spent), at 0 the drain yields. Reading the time costs more than a
    // cheap message (one passed on), so cheap messages read it rarely, and messages of a few
    // hundred microseconds (an agent's step) every one or two.
    let stride = FIRST_STRIDE;
    let checkAt = budget - stride;
    let checked = start;
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
      if (budget <= checkAt) {
        const now = performance.now();
        stride = nextStride(stride, now - checked, this.#workLimit);
        checkAt = budget - stride;
        checked = now;
        if (now >= stopAt) budget = 0;
        else if (now >= chunkAt && this.#head < this.#tail) {
          // Still pending: the next drain of this turn runs after the continuations queued so
          // far, and starts by looking at the turn's time, theirs included.
          this.#work += now - start;
          RESOLVED.then(this.#drain);
          return;
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
        this.#immediate = setImmediate(this.#resume);
        this.#work += performance.now() - start;
        return;
      }
    }
    if (queue.length > KEEP_AT_MOST) queue.length = 0;
    this.#pending = false;
    this.#work += performance.now() - start;
  }

  /**
   * A turn ended at `now`: how long it lasted against how long its drains ran tells how much
   * their handlers left behind them (promise continuations, and the timer callbacks of the
   * calls they started, a turn later), and the next turn's drains get the share of the slice
   * that this ratio leaves them, averaged with the last share so one odd turn (a collection)
   * moves it only half-way. A turn whose drains left nothing behind gives them the whole slice
   * again. The ratio is a measure, not a model: a burst of timers a turn's model calls armed
   * lands in a later turn and shrinks that one's share, so fewer calls start together.
   */
  #endTurn(now: number): void {
    const length = now - this.#turnStart;
    const work = this.#work;
    this.#turnStart = -1;
    this.#work = 0;
    const limit = this.#workLimit;
    if (work <= 0 || length <= 0) return;
    const share = length <= work ? TURN_SLICE_MS : (TURN_SLICE_MS * work) / length;
    // A turn over the slice moves the share most of the way (the further over, the more), one
    // whose drains used their share half-way; any other, by the fraction of the slice it took:
    // the ratio of a short turn says more about whatever else ran in it than about the drains.
    const weight =
      length > TURN_SLICE_MS
        ? 1 - TURN_SLICE_MS / (2 * length)
        : work >= limit
          ? 0.5
          : (0.5 * length) / TURN_SLICE_MS;
    this.#workLimit = Math.max(MIN_WORK_MS, limit + (share - limit) * weight);
  }
}

/** Doubles the stride while it takes under an eighth of the drains' share, halves it over half. */
function nextStride(stride: number, elapsedMs: number, shareMs: number): number {
  if (elapsedMs < shareMs / 8) return Math.min(MAX_STRIDE, stride * 2);
  if (elapsedMs > shareMs / 2) return Math.max(MIN_STRIDE, stride >> 1);
  return stride;
}
