import type { BreakerPolicy } from './breaker-options.js';
import { type BreakerState, type BreakerStateName, cloneBreakerState } from './breaker-state.js';
import { clearWindow, recordOutcome, windowTripsNow } from './failure-window.js';
import { MAX_LEVEL, nextRandom, openDelay } from './open-backoff.js';

/**
 * The breaker's transitions as pure functions of (policy, state, input). They read no clock and
 * no global randomness: time comes in as `now`, jitter from the PRNG seed kept in the state.
 * They update `s` in place so `CircuitBreaker.execute` allocates nothing; `breakerMachine` applies
 * the very same functions to a copy. One implementation, two runtimes: they cannot drift.
 *
 * Invariants: an outcome whose permit `epoch` is not the current one changes nothing (the call
 * started under another state); half-open never hands out more than `trialCalls` permits.
 */

/** Asks for a permit. Open and due turns half-open first. Returns whether the call may run. */
export function acquirePermit(p: BreakerPolicy, s: BreakerState, now: number): boolean {
  switch (s.state) {
    case 'closed':
      return true;
    case 'open':
      if (now < s.retryAt) return false;
      enterHalfOpen(s);
      s.trials = 1;
      return true;
    case 'half_open':
      if (s.trials >= p.trialCalls) return false;
      s.trials++;
      return true;
    default:
      return false;
  }
}

export function recordSuccess(p: BreakerPolicy, s: BreakerState, epoch: number, now: number): void {
  if (epoch !== s.epoch) return;
  if (s.state === 'closed') {
    if (closedSuccessTrips(p, s, now)) trip(p, s, now, false);
  } else if (s.state === 'half_open') {
    s.trialSuccesses++;
    if (s.trialSuccesses >= p.successesToClose) enterClosed(s, now);
  }
}

export function recordFailure(p: BreakerPolicy, s: BreakerState, epoch: number, now: number): void {
  if (epoch !== s.epoch) return;
  if (s.state === 'closed') {
    s.consecutiveFailures++;
    recordOutcome(p.failure, s.window, true, now);
    const f = p.failure;
    if (
      (f.kind === 'consecutive' && s.consecutiveFailures >= f.threshold) ||
      windowTripsNow(f, s.window)
    ) {
      trip(p, s, now, false);
    }
  } else if (s.state === 'half_open') {
    trip(p, s, now, true);
  }
}

/**
 * The closed half of `recordSuccess`, without the trip: records the success and returns whether
 * the window rule now trips (then `tripClosed` at the same `now`). `now` places the outcome only
 * in the time window; the other policies ignore it, so `CircuitBreaker` reads its clock for them
 * only once this says the breaker trips.
 */
export function closedSuccessTrips(p: BreakerPolicy, s: BreakerState, now: number): boolean {
  s.consecutiveFailures = 0;
  const w = s.window;
  // The consecutive policy keeps no window: a success there only resets the count.
  if (w === null) return false;
  recordOutcome(p.failure, w, false, now);
  return windowTripsNow(p.failure, w);
}

/** Opens a closed breaker whose window rule tripped (see `closedSuccessTrips`). */
export function tripClosed(p: BreakerPolicy, s: BreakerState, now: number): void {
  trip(p, s, now, false);
}

/** Gives a permit back without an outcome (the caller cancelled): frees a trial slot. */
export function releasePermit(s: BreakerState, epoch: number): void {
  if (epoch === s.epoch && s.state === 'half_open' && s.trials > 0) s.trials--;
}

/** The open timeout has run out: half-open, so the next calls probe the dependency. */
export function retryDue(s: BreakerState, now: number): void {
  if (s.state === 'open' && now >= s.retryAt) enterHalfOpen(s);
}

/** Opens by hand until `reset`; no probe goes through meanwhile. */
export function isolate(s: BreakerState): void {
  if (s.state === 'isolated') return;
  s.state = 'isolated';
  s.epoch++;
  clearCounters(s);
}

/** Closes and forgets everything: counters, re-open level, stable-period clock. */
export function reset(s: BreakerState): void {
  s.state = 'closed';
  s.epoch++;
  s.level = 0;
  s.closedAt = null;
  clearCounters(s);
}

function trip(p: BreakerPolicy, s: BreakerState, now: number, fromHalfOpen: boolean): void {
  const t = p.openTimeout;
  const flapping = fromHalfOpen || (s.closedAt !== null && now - s.closedAt < t.resetAfterMs);
  const level = flapping ? Math.min(s.level + 1, MAX_LEVEL) : 0;
  let random = 0;
  if (t.jitter > 0) {
    const r = nextRandom(s.seed);
    s.seed = r.seed;
    random = r.value;
  }
  s.state = 'open';
  s.epoch++;
  s.level = level;
  s.openedAt = now;
  s.retryAt = now + openDelay(t, level, random);
  clearCounters(s);
}

function enterHalfOpen(s: BreakerState): void {
  s.state = 'half_open';
  s.epoch++;
  s.trials = 0;
  s.trialSuccesses = 0;
}

function enterClosed(s: BreakerState, now: number): void {
  s.state = 'closed';
  s.epoch++;
  s.closedAt = now;
  clearCounters(s);
}

function clearCounters(s: BreakerState): void {
  s.consecutiveFailures = 0;
  s.trials = 0;
  s.trialSuccesses = 0;
  clearWindow(s.window);
}

/** The breaker's inputs as events: what `breakerMachine` receives. */
export type BreakerInput =
  | { readonly type: 'breaker.acquire'; readonly now: number }
  | { readonly type: 'breaker.success'; readonly now: number; readonly epoch: number }
  | { readonly type: 'breaker.failure'; readonly now: number; readonly epoch: number }
  | { readonly type: 'breaker.release'; readonly now: number; readonly epoch: number }
  | { readonly type: 'breaker.retry'; readonly now: number }
  | { readonly type: 'breaker.isolate'; readonly now: number }
  | { readonly type: 'breaker.reset'; readonly now: number };

/** Applies one input in place: the single dispatcher the machine's actions and guards use. */
export function applyInput(p: BreakerPolicy, s: BreakerState, input: BreakerInput): void {
  switch (input.type) {
    case 'breaker.acquire':
      acquirePermit(p, s, input.now);
      return;
    case 'breaker.success':
      recordSuccess(p, s, input.epoch, input.now);
      return;
    case 'breaker.failure':
      recordFailure(p, s, input.epoch, input.now);
      return;
    case 'breaker.release':
      releasePermit(s, input.epoch);
      return;
    case 'breaker.retry':
      retryDue(s, input.now);
      return;
    case 'breaker.isolate':
      isolate(s);
      return;
    case 'breaker.reset':
      reset(s);
      return;
  }
}

/** The state an input leads to, computed on a copy: asks "where would this go?" of a state. */
export function targetOf(p: BreakerPolicy, s: BreakerState, input: BreakerInput): BreakerStateName {
  const copy = cloneBreakerState(s);
  applyInput(p, copy, input);
  return copy.state;
}
