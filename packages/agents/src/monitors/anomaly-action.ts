import { type Address, type Node, shutdownWith } from '@warden/core';
import type { FeatureFlags } from '@warden/resilience';
import { invalidOption } from '../model/policy/option-checks.js';
import type { MonitorFiring } from './monitor.js';

/**
 * What a monitor does when it fires, beyond the `monitor.fired` event (which every action
 * publishes):
 * - `alert`: nothing more; someone watching the stream decides.
 * - `throttle`: switches a `FeatureFlags` flag off (the code that spawns or calls asks it, or a
 *   ladder level follows its health); turned on again by a person, not by the monitor.
 * - `open-breaker`: isolates a `CircuitBreaker` (`modelPolicyOf(node).breaker(provider)` stops
 *   every call to that provider from this node).
 * - `stop-subtree`: stops the supervisor of the subtree the reading is about (or the one
 *   named), synchronously, with the reason `{ tag: 'shutdown', detail: AnomalyStop }`: its
 *   children go with it, and the reason says which monitor stopped it and why.
 */
export type AnomalyAction =
  | { readonly kind: 'alert' }
  | { readonly kind: 'throttle'; readonly flags: FeatureFlags; readonly flag: string }
  | { readonly kind: 'open-breaker'; readonly breaker: { isolate(): void } }
  | { readonly kind: 'stop-subtree'; readonly supervisor?: Address };

/** The `detail` of the shutdown reason a `stop-subtree` action gives. */
export interface AnomalyStop {
  readonly _tag: 'AnomalyStop';
  readonly monitor: string;
  readonly key: string;
  readonly value: number;
  readonly threshold: number;
}

export function isAnomalyStop(value: unknown): value is AnomalyStop {
  return (value as { _tag?: unknown } | null)?._tag === 'AnomalyStop';
}

export function checkAnomalyAction(field: string, action: unknown): AnomalyAction {
  const a = action as Partial<AnomalyAction> | null;
  switch (a?.kind) {
    case 'alert':
      return a as AnomalyAction;
    case 'throttle':
      if (typeof a.flags?.disable !== 'function') {
        throw invalidOption(`${field}.flags`, a.flags, 'FeatureFlags');
      }
      a.flags.isEnabled(a.flag as string);
      return a as AnomalyAction;
    case 'open-breaker':
      if (typeof a.breaker?.isolate !== 'function') {
        throw invalidOption(`${field}.breaker`, a.breaker, 'a CircuitBreaker');
      }
      return a as AnomalyAction;
    case 'stop-subtree':
      return a as AnomalyAction;
    default:
      throw invalidOption(
        `${field}.kind`,
        a?.kind,
        "'alert', 'throttle', 'open-breaker' or 'stop-subtree'",
      );
  }
}

/** Performs the action; resolves with what it did, for the `monitor.acted` event. */
export async function performAnomalyAction(
  node: Node,
  action: AnomalyAction,
  firing: MonitorFiring,
): Promise<string> {
  const why = `monitor ${firing.monitor}: ${firing.key} at ${firing.value} > ${firing.threshold}`;
  switch (action.kind) {
    case 'alert':
      return 'alerted';
    case 'throttle':
      action.flags.disable(action.flag, why);
      return `flag ${action.flag} off`;
    case 'open-breaker':
      action.breaker.isolate();
      return 'breaker isolated';
    case 'stop-subtree': {
      const target = action.supervisor ?? firing.subtree;
      if (target === undefined) return 'no subtree to stop';
      const detail: AnomalyStop = {
        _tag: 'AnomalyStop',
        monitor: firing.monitor,
        key: firing.key,
        value: firing.value,
        threshold: firing.threshold,
      };
      try {
        await node.stopProcess(target, shutdownWith(detail));
        return `stopped ${String(target)}`;
      } catch (error) {
        return `could not stop ${String(target)}: ${(error as { code?: string }).code ?? String(error)}`;
      }
    }
  }
}
