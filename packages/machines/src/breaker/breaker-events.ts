import type { BreakerState, BreakerStateName } from './breaker-state.js';

/**
 * A breaker's decisions, for dashboards, traces and tests (`onEvent`). `time` is the breaker
 * clock's `now()`; `name` is the breaker's name option. Built only when an observer is set.
 */
export type BreakerEvent =
  | {
      readonly type: 'breaker.trip';
      readonly time: number;
      readonly name: string | undefined;
      readonly from: BreakerStateName;
      readonly retryAt: number;
      /** Consecutive re-opens so far: the open timeout's exponent. */
      readonly level: number;
    }
  | { readonly type: 'breaker.half_open'; readonly time: number; readonly name: string | undefined }
  | { readonly type: 'breaker.close'; readonly time: number; readonly name: string | undefined }
  | {
      readonly type: 'breaker.reject';
      readonly time: number;
      readonly name: string | undefined;
      readonly state: BreakerStateName;
      readonly retryAt: number | undefined;
    }
  | { readonly type: 'breaker.isolate'; readonly time: number; readonly name: string | undefined }
  | { readonly type: 'breaker.reset'; readonly time: number; readonly name: string | undefined };

export type BreakerEventType = BreakerEvent['type'];

/** Called with the new and the previous state on every change. */
export type StateChangeListener = (state: BreakerStateName, previous: BreakerStateName) => void;

/** The event for a change of state (`manual`: by `isolate()` / `reset()`). */
export function changeEvent(
  name: string | undefined,
  s: BreakerState,
  previous: BreakerStateName,
  now: number,
  manual: boolean,
): BreakerEvent {
  if (manual) {
    const type = s.state === 'isolated' ? 'breaker.isolate' : 'breaker.reset';
    return { type, time: now, name };
  }
  if (s.state === 'open') {
    return {
      type: 'breaker.trip',
      time: now,
      name,
      from: previous,
      retryAt: s.retryAt,
      level: s.level,
    };
  }
  const type = s.state === 'half_open' ? 'breaker.half_open' : 'breaker.close';
  return { type, time: now, name };
}
