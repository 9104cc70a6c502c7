import type { Node, NodeEvent } from '@warden/core';
import { checkInt } from '../model/policy/option-checks.js';
import type { AnomalyAction } from './anomaly-action.js';
import type { Monitor, MonitorReading } from './monitor.js';
import { ProcessTypes, type TypedProcess } from './process-types.js';
import { SlidingCount } from './sliding-count.js';

export interface SpawnRateOptions {
  /** At most this many starts of one type within `windowMs`. */
  readonly max: number;
  readonly windowMs: number;
  /** Only these types (child ids or agent names); default: every type. */
  readonly types?: readonly string[];
  readonly action: AnomalyAction;
  readonly name?: string;
}

/**
 * Starts per type within a moving window on the node's clock: a restart loop or a trigger that
 * spawns on every firing shows as a rate, even when each process ends before a count would see
 * it.
 */
export function spawnRateMonitor(options: SpawnRateOptions): Monitor {
  const max = checkInt('max', options?.max, 0);
  const windowMs = checkInt('windowMs', options.windowMs, 1);
  const only = options.types === undefined ? undefined : new Set(options.types);
  const counts = new SlidingCount(windowMs);
  let types: ProcessTypes | undefined;
  let report: ((readings: readonly MonitorReading[]) => void) | undefined;
  let clock: Node['clock'] | undefined;
  const reading = (born: TypedProcess | undefined, now: number): MonitorReading[] => {
    if (born === undefined || (only !== undefined && !only.has(born.type))) return [];
    const value = counts.add(born.type, 1, now);
    return [
      {
        key: born.type,
        value,
        threshold: max,
        ...(born.subtree === undefined ? {} : { subtree: born.subtree }),
      },
    ];
  };
  return {
    name: options.name ?? 'spawn-rate',
    action: options.action,
    attach(reporter, node: Node) {
      report = reporter;
      clock = node.clock;
      types = new ProcessTypes(node, ({ born }) => {
        if (clock !== undefined) report?.(reading(born, clock.now()));
      });
      return () => {
        report = undefined;
      };
    },
    observe(event: NodeEvent, now: number): readonly MonitorReading[] {
      return types === undefined ? [] : reading(types.apply(event).born, now);
    },
  };
}
