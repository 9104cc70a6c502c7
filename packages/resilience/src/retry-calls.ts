import type { Clock, TimerHandle } from '@warden/core';

/** One call of a retry policy, as its registry sees it. */
export interface TrackedCall {
  readonly deadlineAt: number;
  /** The caller's signal, if any. */
  readonly caller: AbortSignal | undefined;
  /** False once the call has settled: the registry drops it when it reaches it. */
  readonly live: boolean;
  /** The deadline passed while the call was still live. */
  expire(): void;
  /** Its caller aborted (with this reason) while it was still live. */
  abort(reason: unknown): void;
}

/** Beyond this many settled entries (or idle watches) more than live ones, they are swept. */
const SLACK = 32;

/**
 * The calls in flight of one retry policy: their deadlines on one timer, and one listener per
 * caller's signal rather than one per call.
 *
 * Deadlines. Every call of a policy gets the same `deadlineMs` on a monotonic clock, so
 * deadlines arrive in order: a FIFO suffices, with the one timer armed for the oldest live call.
 * A call that settles is only marked (`live` false) and dropped when it reaches the head, on the
 * next `add` or when the timer fires. When settled entries outnumber live ones by `SLACK` (a call
 * hangs at the head while thousands pass behind it) they are swept out, so memory stays within
 * twice the calls in flight and every operation is O(1) amortized.
 *
 * Callers. A caller's signal is watched by one listener for all the calls that follow it (an
 * agent's signal across its steps, a ladder's across every call): when it aborts, the live calls
 * that follow it are aborted, in order. A watch whose calls have all settled is kept until the
 * next idle sweep, so back-to-back calls on one signal add and remove no listener each.
 *
 * Idle. When no call is in flight, the timer is cleared and the idle watches are removed at the
 * next turn of the event loop (not at once: back-to-back calls would arm and clear the timer
 * every time), so an idle policy holds nothing that keeps the process alive and leaves nothing
 * on its callers' signals. `close()` does that at once and hands back the calls still live.
 */
export class RetryCalls {
  readonly #clock: Clock;
  /** The FIFO: entries `#head` to `#end` (the array is reused, not resized, as it empties). */
  #items: (TrackedCall | undefined)[] = [];
  #head = 0;
  #end = 0;
  #live = 0;
  #timer: TimerHandle | undefined;
  readonly #watches = new Map<AbortSignal, CallerWatch>();
  /** Watches with a call in flight. */
  #watching = 0;
  #idleCheck = false;
  #closed = false;
  readonly #onTimer = (): void => this.#fire();
  readonly #onIdle = (): void => this.#idle();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Calls in flight. */
  get live(): number {
    return this.#live;
  }

  /** Entries held, settled ones not yet dropped included (at most `2 x live + SLACK`). */
  get size(): number {
    return this.#end - this.#head;
  }

  /** Whether the deadline timer is armed. */
  get armed(): boolean {
    return this.#timer !== undefined;
  }

  /** Callers' signals listened to. */
  get watched(): number {
    return this.#watches.size;
  }

  /** Tracks a call from now until its `settled`; returns its caller's watch, if it has one. */
  add(call: TrackedCall): CallerWatch | undefined {
    this.#dropSettled();
    this.#items[this.#end++] = call;
    this.#live++;
    if (this.#timer === undefined) this.#arm();
    if (this.#end - this.#head > 2 * this.#live + SLACK) this.#compact();
    const caller = call.caller;
    if (caller === undefined) return undefined;
    let watch = this.#watches.get(caller);
    if (watch === undefined) {
      if (this.#watches.size > 2 * this.#watching + SLACK) this.#sweepWatches();
      watch = new CallerWatch(this, caller);
      this.#watches.set(caller, watch);
      caller.addEventListener('abort', watch, { once: true });
    }
    if (watch.calls++ === 0) this.#watching++;
    return watch;
  }

  /** A call ended, whatever its outcome (its `live` is false from now on). */
  settled(watch: CallerWatch | undefined): void {
    if (this.#closed) return;
    if (watch !== undefined && --watch.calls === 0 && !watch.detached) this.#watching--;
    if (--this.#live > 0) return;
    // every entry has settled: none needs its deadline any more
    this.#clear();
    if ((this.#timer !== undefined || this.#watches.size > 0) && !this.#idleCheck) {
      this.#idleCheck = true;
      setImmediate(this.#onIdle);
    }
  }

  /** Clears the timer, removes every listener; returns the calls that were still live. */
  close(): TrackedCall[] {
    this.#closed = true;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    for (const watch of this.#watches.values()) watch.remove();
    this.#watches.clear();
    const live = this.#items
      .slice(this.#head, this.#end)
      .filter((e): e is TrackedCall => e?.live === true);
    this.#items = [];
    this.#head = 0;
    this.#end = 0;
    this.#live = 0;
    return live;
  }

  /** A caller's signal aborted: its live calls are aborted, oldest first. */
  callerAborted(watch: CallerWatch): void {
    if (this.#watches.get(watch.signal) === watch) {
      this.#watches.delete(watch.signal);
      watch.detached = true;
      if (watch.calls > 0) this.#watching--;
    }
    const reason = watch.signal.reason;
    const hit: TrackedCall[] = [];
    for (let i = this.#head; i < this.#end; i++) {
      const call = this.#items[i] as TrackedCall;
      if (call.live && call.caller === watch.signal) hit.push(call);
    }
    for (const call of hit) call.abort(reason);
  }

  /** Arms the timer for the oldest live deadline, if any is finite. */
  #arm(): void {
    const head = this.#items[this.#head];
    if (head === undefined || !Number.isFinite(head.deadlineAt)) return;
    this.#timer = this.#clock.setTimer(head.deadlineAt - this.#clock.now(), this.#onTimer);
  }

  #fire(): void {
    this.#timer = undefined;
    const now = this.#clock.now();
    const due: TrackedCall[] = [];
    for (;;) {
      const head = this.#items[this.#head];
      if (head === undefined) break;
      if (head.live) {
        if (head.deadlineAt > now) break;
        due.push(head);
      }
      this.#shift();
    }
    this.#arm();
    // after the queue is consistent: an expiring call may start another at once
    for (const call of due) call.expire();
  }

  #idle(): void {
    this.#idleCheck = false;
    if (this.#live > 0 || this.#closed) return;
    if (this.#timer !== undefined) this.#clock.clearTimer(this.#timer);
    this.#timer = undefined;
    this.#sweepWatches();
  }

  /** Removes the watches no call in flight follows. */
  #sweepWatches(): void {
    for (const [signal, watch] of this.#watches) {
      if (watch.calls > 0) continue;
      watch.remove();
      this.#watches.delete(signal);
    }
  }

  /** Forgets every entry (all have settled), keeping the array. */
  #clear(): void {
    for (let i = this.#head; i < this.#end; i++) this.#items[i] = undefined;
    this.#head = 0;
    this.#end = 0;
  }

  #dropSettled(): void {
    for (;;) {
      const head = this.#items[this.#head];
      if (head === undefined || head.live) return;
      this.#shift();
    }
  }

  #shift(): void {
    this.#items[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#end) {
      this.#head = 0;
      this.#end = 0;
    } else if (this.#head > SLACK && this.#head * 2 > this.#end) {
      this.#items = this.#items.slice(this.#head, this.#end);
      this.#end -= this.#head;
      this.#head = 0;
    }
  }

  /** Keeps the live entries only, in order (the timer stays armed for the same or an earlier head). */
  #compact(): void {
    const kept: TrackedCall[] = [];
    for (let i = this.#head; i < this.#end; i++) {
      const call = this.#items[i] as TrackedCall;
      if (call.live) kept.push(call);
    }
    this.#items = kept;
    this.#head = 0;
    this.#end = kept.length;
  }
}

/** The one listener of a policy on one caller's signal (an object listener: no closure). */
export class CallerWatch {
  calls = 0;
  /** Its signal aborted: it no longer counts among the watches. */
  detached = false;
  readonly #calls: RetryCalls;
  readonly signal: AbortSignal;

  constructor(calls: RetryCalls, signal: AbortSignal) {
    this.#calls = calls;
    this.signal = signal;
  }

  handleEvent(): void {
    this.#calls.callerAborted(this);
  }

  remove(): void {
    this.signal.removeEventListener('abort', this);
  }
}
