import { describeValue } from '@warden/core';
import { MachinesError } from '../errors.js';
import type { BreakerPolicy } from './breaker-options.js';
import { type BreakerState, cloneBreakerState } from './breaker-state.js';
import { createWindow, EMPTY_SLICE, type FailureWindow, timeWindowOf } from './failure-window.js';

/**
 * A saved breaker: its state with times on the saving clock, and that clock's `now()` at save.
 * Monotonic clocks restart with the process, so a restore shifts every time by
 * `now - savedAt`: time stands still while a breaker is saved (an open breaker still waits what
 * it had left to wait).
 */
export interface BreakerSnapshot {
  readonly version: 1;
  readonly savedAt: number;
  readonly breaker: BreakerState;
}

export function saveBreaker(s: BreakerState, now: number): BreakerSnapshot {
  return { version: 1, savedAt: now, breaker: cloneBreakerState(s) };
}

const STATES = new Set(['closed', 'open', 'half_open', 'isolated']);

/**
 * Checks a snapshot and rebases it onto a clock reading `now`. A window saved under another
 * failure policy (a changed configuration) is replaced by an empty one; malformed data throws
 * `ERR_INVALID_SNAPSHOT` naming the field.
 */
export function restoreBreaker(policy: BreakerPolicy, data: unknown, now: number): BreakerState {
  const snap = data as Partial<BreakerSnapshot> | null;
  if (typeof snap !== 'object' || snap === null) throw bad('snapshot', data, 'an object');
  if (snap.version !== 1) throw bad('version', snap.version, '1');
  const savedAt = finite('savedAt', snap.savedAt);
  const b = snap.breaker as Partial<BreakerState> | undefined;
  if (typeof b !== 'object' || b === null) throw bad('breaker', b, 'an object');
  if (!STATES.has(b.state as string)) throw bad('breaker.state', b.state, 'a breaker state');
  const delta = now - savedAt;
  const closedAt = b.closedAt === null ? null : finite('breaker.closedAt', b.closedAt) + delta;
  return {
    state: b.state as BreakerState['state'],
    epoch: count('breaker.epoch', b.epoch),
    consecutiveFailures: count('breaker.consecutiveFailures', b.consecutiveFailures),
    window: restoreWindow(policy, b.window, delta),
    openedAt: finite('breaker.openedAt', b.openedAt) + delta,
    retryAt: finite('breaker.retryAt', b.retryAt) + delta,
    level: count('breaker.level', b.level),
    closedAt,
    trials: Math.min(count('breaker.trials', b.trials), policy.trialCalls),
    trialSuccesses: count('breaker.trialSuccesses', b.trialSuccesses),
    seed: count('breaker.seed', b.seed) >>> 0,
  };
}

function restoreWindow(policy: BreakerPolicy, w: unknown, delta: number): FailureWindow {
  const fresh = createWindow(policy.failure);
  const saved = w as FailureWindow;
  if (fresh === null || saved === null || typeof saved !== 'object') return fresh;
  if (fresh.kind === 'count' && saved.kind === 'count') {
    if (!numbers(saved.outcomes, fresh.outcomes.length)) return fresh;
    const calls = Math.min(count('breaker.window.calls', saved.calls), fresh.outcomes.length);
    const head = count('breaker.window.head', saved.head) % fresh.outcomes.length;
    const outcomes = saved.outcomes.map((o): number => (o === 1 ? 1 : 0));
    const failures = outcomes.reduce((a, b) => a + b, 0);
    return { kind: 'count', outcomes, head, calls, failures };
  }
  if (fresh.kind === 'time' && saved.kind === 'time' && policy.failure.kind === 'time-window') {
    const n = fresh.ids.length;
    if (!numbers(saved.ids, n) || !numbers(saved.calls, n) || !numbers(saved.failures, n)) {
      return fresh;
    }
    const shift = Math.round(delta / (policy.failure.windowMs / n));
    return timeWindowOf(
      policy.failure,
      saved.ids.map((id) => (id === EMPTY_SLICE ? id : id + shift)),
      saved.calls,
      saved.failures,
    );
  }
  return fresh;
}

function numbers(value: unknown, length: number): value is number[] {
  return (
    Array.isArray(value) &&
    value.length === length &&
    value.every((v) => typeof v === 'number' && Number.isFinite(v))
  );
}

function finite(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw bad(field, value, 'a finite number');
  return value;
}

function count(field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw bad(field, value, 'an integer >= 0');
  }
  return value;
}

function bad(field: string, value: unknown, expected: string): MachinesError {
  return new MachinesError(
    'ERR_INVALID_SNAPSHOT',
    `invalid breaker snapshot ${field}: ${describeValue(value)} (expected ${expected})`,
    { field },
  );
}
