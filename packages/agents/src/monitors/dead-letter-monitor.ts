import type { NodeEvent } from '@warden/core';
import { checkInt } from '../model/policy/option-checks.js';
import type { AnomalyAction } from './anomaly-action.js';
import type { Monitor, MonitorReading } from './monitor.js';
import { SlidingCount } from './sliding-count.js';

export interface DeadLetterGrowthOptions {
  /** At most this many dead letters within `windowMs`. */
  readonly max: number;
  readonly windowMs: number;
  readonly action: AnomalyAction;
  readonly name?: string;
}

/**
 * Dead letters over a moving window: the node's own (`deadletter`: a message to a dead process,
 * a full mailbox) under the key `node`, and failed work recorded in a resilience
 * `DeadLetterQueue` whose events reach the node (`deadletter.recorded`) under `queue`.
 */
export function deadLetterMonitor(options: DeadLetterGrowthOptions): Monitor {
  const max = checkInt('max', options?.max, 0);
  const counts = new SlidingCount(checkInt('windowMs', options.windowMs, 1));
  return {
    name: options.name ?? 'dead-letters',
    action: options.action,
    observe(event: NodeEvent, now: number): readonly MonitorReading[] {
      const key =
        event.type === 'deadletter'
          ? 'node'
          : event.type === 'published' && event.event.type === 'deadletter.recorded'
            ? 'queue'
            : undefined;
      if (key === undefined) return [];
      return [{ key, value: counts.add(key, 1, now), threshold: max }];
    },
  };
}
