import type { Clock, TimerHandle } from '@warden/core';
import type { SettleParticipant, TestClock } from '@warden/core/testing';

interface SimTimer {
  due: number;
  readonly fire: () => void;
  handle: TimerHandle;
  done: boolean;
}

/**
 * The clock the simulated nodes see: a `TestClock` that can also jump. A jump is what a paused
 * process (a stopped VM, a laptop lid, a long GC) sees when it wakes: time has moved on at once,
 * and every timer that fell due meanwhile fires late, in due order, with `now()` already past it.
 * `TestClock.advance` cannot do that (it fires each timer at its own instant).
 */
export class SimClock implements Clock {
  readonly test: TestClock;
  /** The run this is the clock of (set by the run): how a node finds its simulation. */
  owner: object | undefined = undefined;
  #skew = 0;
  #timers = new Set<SimTimer>();

  constructor(test: TestClock) {
    this.test = test;
  }

  now(): number {
    return this.test.now() + this.#skew;
  }

  setTimer(delayMs: number, fire: () => void): TimerHandle {
    const timer: SimTimer = {
      due:
        this.now() + (Number.isFinite(delayMs) ? Math.max(0, delayMs) : Number.POSITIVE_INFINITY),
      fire,
      handle: undefined as unknown as TimerHandle,
      done: false,
    };
    timer.handle = this.test.setTimer(delayMs, () => this.#fire(timer));
    this.#timers.add(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    const timer = handle as SimTimer;
    if (timer.done) return;
    timer.done = true;
    this.test.clearTimer(timer.handle);
    this.#timers.delete(timer);
  }

  /** Lets nodes register with the underlying test clock, so `settle` waits for them. */
  track(participant: SettleParticipant): () => void {
    return this.test.track(participant);
  }

  /**
   * Time moves `ms` at once: timers due meanwhile fire now, oldest first, and every later timer
   * keeps its due time on the new clock.
   */
  jump(ms: number): void {
    this.#skew += ms;
    const now = this.now();
    const pending = [...this.#timers].sort((a, b) => a.due - b.due);
    for (const timer of pending) {
      this.test.clearTimer(timer.handle);
      timer.handle = this.test.setTimer(Math.max(0, timer.due - now), () => this.#fire(timer));
    }
  }

  #fire(timer: SimTimer): void {
    if (timer.done) return;
    timer.done = true;
    this.#timers.delete(timer);
    timer.fire();
  }
}
