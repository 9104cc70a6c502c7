import type { Node, NodeEvent } from '@warden/core';
import { checkInt, invalidOption } from '../model/policy/option-checks.js';
import type { AnomalyAction } from './anomaly-action.js';
import type { Monitor, MonitorReading } from './monitor.js';
import { ProcessTypes, type TypeChange } from './process-types.js';

export interface SubagentCountOptions {
  /** The expected ceiling of live processes per type (a child id or an agent name). */
  readonly ceilings: Readonly<Record<string, number>>;
  readonly action: AnomalyAction;
  readonly name?: string;
}

/**
 * Live processes of a type against the ceiling expected of it: the memory-sync pile-up shows
 * here at its second sync, long before anything hangs. Counted from the node's events, so it
 * sees subagents whatever started them, a spawn-once guard or not.
 */
export function subagentCountMonitor(options: SubagentCountOptions): Monitor {
  const ceilings = new Map<string, number>();
  if (typeof options?.ceilings !== 'object' || options.ceilings === null) {
    throw invalidOption('ceilings', options?.ceilings, 'a record of type to ceiling');
  }
  for (const [type, ceiling] of Object.entries(options.ceilings)) {
    ceilings.set(type, checkInt(`ceilings.${type}`, ceiling, 0));
  }
  const name = options.name ?? 'subagent-count';
  let types: ProcessTypes | undefined;
  let report: ((readings: readonly MonitorReading[]) => void) | undefined;
  const readings = ({ born, gone }: TypeChange): MonitorReading[] => {
    const out: MonitorReading[] = [];
    for (const p of [born, gone]) {
      const threshold = p === undefined ? undefined : ceilings.get(p.type);
      if (p === undefined || threshold === undefined || types === undefined) continue;
      out.push({
        key: p.type,
        value: types.count(p.type),
        threshold,
        ...(p.subtree === undefined ? {} : { subtree: p.subtree }),
      });
    }
    return out;
  };
  return {
    name,
    action: options.action,
    attach(reporter, node: Node) {
      report = reporter;
      types = new ProcessTypes(node, (change) => report?.(readings(change)));
      return () => {
        report = undefined;
      };
    },
    observe(event: NodeEvent): readonly MonitorReading[] {
      return types === undefined ? [] : readings(types.apply(event));
    },
  };
}
