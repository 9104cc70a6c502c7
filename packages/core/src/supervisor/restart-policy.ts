import { type ExitReason, isAbnormal } from '../exit-reason.js';
import type { RestartType } from './child-spec.js';
import type { Strategy } from './flags.js';

/**
 * OTP's restart decision by restart type and exit reason: permanent always (even after
 * `normal`), temporary never, transient only after an abnormal reason (not `normal`,
 * `shutdown` or `{shutdown, _}`; `killed` and `noproc` are abnormal).
 */
export function shouldRestart(restart: RestartType, reason: ExitReason): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'temporary') return false;
  return isAbnormal(reason);
}

/** Which children a restart touches, by id: terminate these (in this order), then start these. */
export interface RestartPlan {
  readonly terminate: readonly string[];
  readonly start: readonly string[];
}

/**
 * The children a strategy restarts when `failed` (at its position in start order) needs a restart:
 * one_for_one only it; one_for_all every other child terminated in reverse start order, then all
 * started in start order; rest_for_one the same for the failed child and those started after it.
 */
export function planRestart(
  strategy: Strategy,
  order: readonly string[],
  failed: string,
): RestartPlan {
  const index = order.indexOf(failed);
  if (index < 0 || strategy === 'one_for_one' || strategy === 'simple_one_for_one') {
    return { terminate: [], start: [failed] };
  }
  const group = strategy === 'one_for_all' ? order : order.slice(index);
  return {
    terminate: group.filter((id) => id !== failed).reverse(),
    start: [...group],
  };
}
