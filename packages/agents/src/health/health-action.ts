import type { FeatureFlags } from '@warden/resilience';
import { invalidOption } from '../model/policy/option-checks.js';
import type { CheckResult } from './check-result.js';

/**
 * What a failing L3 or L4 check does beyond reporting, chosen by the user as data:
 * - `switch-off`: turns a `FeatureFlags` flag off. A flag's `health(name)` can be a level of a
 *   `DegradationLadder`, so this moves the ladder down past that level; code that asks
 *   `flags.isEnabled` (or `flags.guard`) stops using the capability.
 * - `open-breaker`: isolates a `CircuitBreaker` (opened by hand, so no timeout half-opens it):
 *   `modelPolicyOf(node).breaker(provider)` sends every resilient model of that provider to its
 *   fallback.
 * - `call`: any function of the result (page someone, lower a token bucket's rate).
 * With `restore: true` the action is undone when the check passes again; by default a person
 * undoes it, since an agent whose traffic moved away produces no new samples to prove recovery.
 */
export type HealthAction =
  | {
      readonly kind: 'switch-off';
      readonly flags: FeatureFlags;
      readonly flag: string;
      readonly restore?: boolean;
    }
  | {
      readonly kind: 'open-breaker';
      readonly breaker: { isolate(): void; reset(): void };
      readonly restore?: boolean;
    }
  | {
      readonly kind: 'call';
      readonly onFail: (result: CheckResult) => void;
      readonly onPass?: (result: CheckResult) => void;
    };

export function checkHealthAction(field: string, action: unknown): HealthAction {
  const a = action as Partial<HealthAction> | null;
  switch (a?.kind) {
    case 'switch-off':
      if (typeof a.flags?.disable !== 'function')
        throw invalidOption(`${field}.flags`, a.flags, 'FeatureFlags');
      a.flags.isEnabled(a.flag as string); // an unknown flag fails now, not at the first alarm
      return a as HealthAction;
    case 'open-breaker':
      if (typeof a.breaker?.isolate !== 'function') {
        throw invalidOption(`${field}.breaker`, a.breaker, 'a CircuitBreaker');
      }
      return a as HealthAction;
    case 'call':
      if (typeof a.onFail !== 'function')
        throw invalidOption(`${field}.onFail`, a.onFail, 'a function');
      return a as HealthAction;
    default:
      throw invalidOption(`${field}.kind`, a?.kind, "'switch-off', 'open-breaker' or 'call'");
  }
}

/** Performs the action for a check that just failed (`failed`) or passes again. */
export function performHealthAction(
  action: HealthAction,
  result: CheckResult,
  failed: boolean,
): void {
  const why = `health check ${result.name} ${failed ? 'failed' : 'passes again'}`;
  switch (action.kind) {
    case 'switch-off':
      if (failed) action.flags.disable(action.flag, why);
      else if (action.restore === true) action.flags.enable(action.flag, why);
      return;
    case 'open-breaker':
      if (failed) action.breaker.isolate();
      else if (action.restore === true) action.breaker.reset();
      return;
    case 'call':
      if (failed) action.onFail(result);
      else action.onPass?.(result);
      return;
  }
}
