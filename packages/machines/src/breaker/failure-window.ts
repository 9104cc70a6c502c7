import type { FailurePolicy } from './breaker-options.js';

/** Marks an unused time slot (a plain number, so the window stays JSON data). */
export const EMPTY_SLICE = -Number.MAX_SAFE_INTEGER;

/** The last `size` outcomes in a ring: 1 is a failure, 0 a success. */
export interface CountWindow {
  readonly kind: 'count';
  readonly outcomes: number[];
  head: number;
  calls: number;
  failures: number;
}

/**
 * Outcomes per time slice of `windowMs / buckets` ms, in a ring: slot `i` holds slice `ids[i]`.
 * `slice` is the newest slice seen; every slot holds a slice within `buckets` of it (or is
 * empty), and `totalCalls` / `totalFailures` are the sums over the slots, kept as outcomes come
 * in and slices expire. Recording and judging an outcome is O(1); moving into a new slice expires
 * at most `buckets` slots.
 */
export interface TimeWindow {
  readonly kind: 'time';
  readonly ids: number[];
  readonly calls: number[];
  readonly failures: number[];
  slice: number;
  /** The slot of `slice`. */
  head: number;
  /**
   * A time near the end of `slice` that still falls in it: every earlier time falls in `slice`
   * or before, so an outcome before `end` goes to `head` without a division (`NO_END` while no
   * slice was seen).
   */
  end: number;
  totalCalls: number;
  totalFailures: number;
}

/** The `end` of a window that has seen no slice: no finite time is before it. */
const NO_END = -Number.MAX_VALUE;

/** Counters of a closed breaker beyond its consecutive failures (`null` for `consecutive`). */
export type FailureWindow = CountWindow | TimeWindow | null;

export function createWindow(policy: FailurePolicy): FailureWindow {
  if (policy.kind === 'count-window') {
    return {
      kind: 'count',
      outcomes: new Array(policy.size).fill(0),
      head: 0,
      calls: 0,
      failures: 0,
    };
  }
  if (policy.kind === 'time-window') {
    const n = policy.buckets;
    return {
      kind: 'time',
      ids: new Array(n).fill(EMPTY_SLICE),
      calls: new Array(n).fill(0),
      failures: new Array(n).fill(0),
      slice: EMPTY_SLICE,
      head: 0,
      end: NO_END,
      totalCalls: 0,
      totalFailures: 0,
    };
  }
  return null;
}

/** Empties the window in place (no allocation). */
export function clearWindow(w: FailureWindow): void {
  if (w === null) return;
  if (w.kind === 'count') {
    w.outcomes.fill(0);
    w.head = 0;
    w.calls = 0;
    w.failures = 0;
  } else {
    w.ids.fill(EMPTY_SLICE);
    w.calls.fill(0);
    w.failures.fill(0);
    w.slice = EMPTY_SLICE;
    w.head = 0;
    w.end = NO_END;
    w.totalCalls = 0;
    w.totalFailures = 0;
  }
}

/** Records one outcome at `now`. */
export function recordOutcome(
  p: FailurePolicy,
  w: FailureWindow,
  failed: boolean,
  now: number,
): void {
  if (w === null) return;
  if (w.kind === 'count') {
    const outcomes = w.outcomes;
    const head = w.head;
    const next = head + 1;
    if (!failed && w.failures === 0) {
      // Every slot holds a success (or nothing yet): the one overwritten needs no write.
      if (w.calls < outcomes.length) w.calls++;
      w.head = next === outcomes.length ? 0 : next;
      return;
    }
    if (w.calls === outcomes.length) w.failures -= outcomes[head] as number;
    else w.calls++;
    if (failed) {
      outcomes[head] = 1;
      w.failures++;
    } else {
      outcomes[head] = 0;
    }
    w.head = next === outcomes.length ? 0 : next;
    return;
  }
  const slot = now < w.end ? w.head : advance(w, p, now);
  (w.calls[slot] as number)++;
  w.totalCalls++;
  // A success touches the failure counts not at all.
  if (failed) {
    (w.failures[slot] as number)++;
    w.totalFailures++;
  }
}

/**
 * Moves the window to the slice of `now` (if later than its newest) and returns the slot of its
 * newest slice. Slots whose slice fell out of the window are emptied and taken off the totals: at
 * most `buckets` of them, and only when time entered a new slice. An earlier slice (a clock that
 * went back) counts as the newest: outcomes are never lost.
 */
function advance(w: TimeWindow, p: FailurePolicy, now: number): number {
  const slice = sliceOf(p, now);
  const n = w.ids.length;
  if (slice <= w.slice) return w.head;
  if (w.slice === EMPTY_SLICE || slice - w.slice >= n) {
    w.ids.fill(EMPTY_SLICE);
    w.calls.fill(0);
    w.failures.fill(0);
    w.totalCalls = 0;
    w.totalFailures = 0;
  } else {
    for (let id = w.slice + 1; id <= slice; id++) {
      const slot = mod(id, n);
      w.totalCalls -= w.calls[slot] as number;
      w.totalFailures -= w.failures[slot] as number;
      w.calls[slot] = 0;
      w.failures[slot] = 0;
      w.ids[slot] = EMPTY_SLICE;
    }
  }
  const slot = mod(slice, n);
  w.slice = slice;
  w.head = slot;
  w.end = endOf(p, slice);
  w.ids[slot] = slice;
  return slot;
}

/**
 * The latest time known to fall in `slice` or before, near the slice's end: `(slice + 1) * width`
 * unless rounding puts that in the next slice, then stepped down until `sliceOf` agrees. Division
 * rounds monotonically, so every earlier time falls in `slice` or before too: the window can
 * compare a time with it instead of dividing, and agrees with `sliceOf` exactly.
 */
function endOf(p: FailurePolicy, slice: number): number {
  let end = (slice + 1) * sliceWidth(p);
  for (let step = 0; step < 8; step++) {
    if (sliceOf(p, end) <= slice) return end;
    end -= Math.max(Math.abs(end) * Number.EPSILON, Number.MIN_VALUE);
  }
  return NO_END;
}

/** Calls seen in the window at `now` (without changing it). */
export function windowCalls(p: FailurePolicy, w: FailureWindow, now: number): number {
  return sum(p, w, now, false);
}

/** Failures seen in the window at `now` (without changing it). */
export function windowFailures(p: FailurePolicy, w: FailureWindow, now: number): number {
  return sum(p, w, now, true);
}

/** The window rule: enough calls seen, and a failure rate at or above the threshold. */
export function windowTrips(p: FailurePolicy, w: FailureWindow, now: number): boolean {
  if (p.kind === 'consecutive' || w === null) return false;
  const calls = sum(p, w, now, false);
  return calls >= p.minimumCalls && sum(p, w, now, true) / calls >= p.rate;
}

/**
 * The window rule on the counts as they stand: right after `recordOutcome` they are the counts
 * at that time, so the hot path judges in O(1) without reading a slice again.
 */
export function windowTripsNow(p: FailurePolicy, w: FailureWindow): boolean {
  if (p.kind === 'consecutive' || w === null) return false;
  const failures = w.kind === 'count' ? w.failures : w.totalFailures;
  // The rate is above 0, so a window without a failure never trips (and needs no division).
  if (failures === 0) return false;
  const calls = w.kind === 'count' ? w.calls : w.totalCalls;
  return calls >= p.minimumCalls && failures / calls >= p.rate;
}

/**
 * The totals at `now`: O(1) in the newest slice (always so right after an outcome is recorded),
 * otherwise the totals less the slots that expire by `now`.
 */
function sum(p: FailurePolicy, w: FailureWindow, now: number, failures: boolean): number {
  if (w === null) return 0;
  if (w.kind === 'count') return failures ? w.failures : w.calls;
  const total = failures ? w.totalFailures : w.totalCalls;
  const slice = sliceOf(p, now);
  if (slice <= w.slice) return total;
  const n = w.ids.length;
  if (w.slice === EMPTY_SLICE || slice - w.slice >= n) return 0;
  const counts = failures ? w.failures : w.calls;
  let left = total;
  for (let id = w.slice + 1; id <= slice; id++) left -= counts[mod(id, n)] as number;
  return left;
}

/**
 * Rebuilds a time window from saved slots (a snapshot, possibly from an older version without
 * totals): the newest slice is the newest id, slots outside the window are emptied, the totals
 * are summed again.
 */
export function timeWindowOf(
  p: FailurePolicy,
  ids: number[],
  calls: number[],
  failures: number[],
): TimeWindow {
  const n = ids.length;
  let slice = EMPTY_SLICE;
  for (const id of ids) if (id > slice) slice = id;
  const w: TimeWindow = {
    kind: 'time',
    ids: new Array(n).fill(EMPTY_SLICE),
    calls: new Array(n).fill(0),
    failures: new Array(n).fill(0),
    slice,
    head: slice === EMPTY_SLICE ? 0 : mod(slice, n),
    end: slice === EMPTY_SLICE ? NO_END : endOf(p, slice),
    totalCalls: 0,
    totalFailures: 0,
  };
  for (let i = 0; i < n; i++) {
    const id = ids[i] as number;
    if (id === EMPTY_SLICE || id <= slice - n) continue;
    const slot = mod(id, n);
    w.ids[slot] = id;
    w.calls[slot] = calls[i] as number;
    w.failures[slot] = failures[i] as number;
    w.totalCalls += calls[i] as number;
    w.totalFailures += failures[i] as number;
  }
  return w;
}

function sliceOf(p: FailurePolicy, now: number): number {
  return Math.floor(now / sliceWidth(p));
}

function sliceWidth(p: FailurePolicy): number {
  return p.kind === 'time-window' ? p.windowMs / p.buckets : 1;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
