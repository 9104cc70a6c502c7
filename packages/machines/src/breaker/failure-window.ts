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
 * Outcomes per time slice of `windowMs / buckets` ms: slot `i` holds slice `ids[i]`. A slice is
 * in the window while its id is within `buckets` of the current slice; older ones are reused.
 */
export interface TimeWindow {
  readonly kind: 'time';
  readonly ids: number[];
  readonly calls: number[];
  readonly failures: number[];
}

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
  const f = failed ? 1 : 0;
  if (w.kind === 'count') {
    if (w.calls === w.outcomes.length) w.failures -= w.outcomes[w.head] as number;
    else w.calls++;
    w.outcomes[w.head] = f;
    w.failures += f;
    w.head = (w.head + 1) % w.outcomes.length;
    return;
  }
  const id = sliceOf(p, now);
  const slot = mod(id, w.ids.length);
  if (w.ids[slot] !== id) {
    w.ids[slot] = id;
    w.calls[slot] = 0;
    w.failures[slot] = 0;
  }
  (w.calls[slot] as number)++;
  (w.failures[slot] as number) += f;
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

function sum(p: FailurePolicy, w: FailureWindow, now: number, failures: boolean): number {
  if (w === null) return 0;
  if (w.kind === 'count') return failures ? w.failures : w.calls;
  const current = sliceOf(p, now);
  const counts = failures ? w.failures : w.calls;
  let total = 0;
  for (let i = 0; i < w.ids.length; i++) {
    const id = w.ids[i] as number;
    if (id <= current && id > current - w.ids.length) total += counts[i] as number;
  }
  return total;
}

function sliceOf(p: FailurePolicy, now: number): number {
  return p.kind === 'time-window' ? Math.floor(now / (p.windowMs / p.buckets)) : 0;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}
