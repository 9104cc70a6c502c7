import type { Clock, TimerHandle } from '../clock.js';
import { invalidArgument } from '../errors.js';

interface VirtualTimer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
  cancelled: boolean;
}

/** Something that can say whether it still has runnable work (a node's scheduler). */
export interface SettleParticipant {
  isIdle(): boolean;
}

/** How many event-loop turns `settle()` waits for busy participants before it gives up. */
const SETTLE_TURN_LIMIT = 100_000;

/**
 * A virtual clock. Time moves only when a test says so, and every timer due on the way fires in
 * time order, with all the work it causes run to completion before time moves on. A 35-minute
 * incident therefore replays in milliseconds and the same way every time.
 *
 * @example
 * const clock = new TestClock();
 * const node = createNode({ name: 'a', clock });
 * node.sendAfter(pid, 'tick', 60_000);
 * await clock.advance(60_000); // 'tick' has been delivered and handled
 */
export class TestClock implements Clock {
  #now: number;
  #seq = 0;
  #heap: VirtualTimer[] = [];
  #participants = new Set<SettleParticipant>();

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const delay = Number.isFinite(delayMs) ? Math.max(0, delayMs) : Number.POSITIVE_INFINITY;
    const timer: VirtualTimer = { at: this.#now + delay, seq: this.#seq++, fire, cancelled: false };
    if (delay !== Number.POSITIVE_INFINITY) this.#push(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    (handle as VirtualTimer).cancelled = true;
  }

  /** Number of armed, uncancelled timers. Useful to assert that nothing leaks. */
  get pendingTimers(): number {
    let n = 0;
    for (const t of this.#heap) if (!t.cancelled) n++;
    return n;
  }

  /** Milliseconds until the next armed timer, or undefined if there is none. */
  nextTimerIn(): number | undefined {
    this.#dropCancelled();
    const top = this.#heap[0];
    return top === undefined ? undefined : top.at - this.#now;
  }

  /** Registers a node (or anything with runnable work) so that `settle` waits for it. */
  track(participant: SettleParticipant): () => void {
    this.#participants.add(participant);
    return () => this.#participants.delete(participant);
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way in order, and settling all
   * work after each one. Timers armed while advancing fire too if they fall within the window.
   */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw invalidArgument('ms', ms, 'a finite number >= 0');
    const target = this.#now + ms;
    await this.settle();
    for (;;) {
      this.#dropCancelled();
      const top = this.#heap[0];
      if (top === undefined || top.at > target) break;
      this.#pop();
      this.#now = Math.max(this.#now, top.at);
      top.fire();
      await this.settle();
    }
    this.#now = target;
    await this.settle();
  }

  /** Advances to the next armed timer and fires it (and any due at the same instant). */
  async advanceToNext(): Promise<boolean> {
    const next = this.nextTimerIn();
    if (next === undefined) return false;
    await this.advance(next);
    return true;
  }

  /**
   * Lets all pending work run: microtasks, and the run queues of every tracked node, turn by turn
   * of the event loop, until every participant is idle. Time does not move.
   */
  async settle(): Promise<void> {
    for (let turn = 0; turn < SETTLE_TURN_LIMIT; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#allIdle()) return;
    }
    throw new Error(`TestClock.settle: still busy after ${SETTLE_TURN_LIMIT} event-loop turns`);
  }

  #allIdle(): boolean {
    for (const p of this.#participants) if (!p.isIdle()) return false;
    return true;
  }

  #dropCancelled(): void {
    while (this.#heap.length > 0 && (this.#heap[0] as VirtualTimer).cancelled) this.#pop();
  }

  #less(a: VirtualTimer, b: VirtualTimer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #push(t: VirtualTimer): void {
    const h = this.#heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(h[i] as VirtualTimer, h[parent] as VirtualTimer)) break;
      [h[i], h[parent]] = [h[parent] as VirtualTimer, h[i] as VirtualTimer];
      i = parent;
    }
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop();
    if (h.length === 0 || last === undefined) return;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.#less(h[l] as VirtualTimer, h[m] as VirtualTimer)) m = l;
      if (r < h.length && this.#less(h[r] as VirtualTimer, h[m] as VirtualTimer)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m] as VirtualTimer, h[i] as VirtualTimer];
      i = m;
    }
  }
}
