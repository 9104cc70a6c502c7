import type { Clock } from '@warden/core';
import { argsHash } from '../governance/args-hash.js';
import { checkClock, checkInt } from '../model/policy/option-checks.js';
import type { Tool } from '../tools/tool.js';
import type { AnomalyAction } from './anomaly-action.js';
import type { Monitor, MonitorReading } from './monitor.js';
import { SlidingCount } from './sliding-count.js';

export interface RepeatedToolCallsOptions {
  readonly clock: Clock;
  /** At most this many calls of one tool with the same arguments within `windowMs`. */
  readonly max: number;
  readonly windowMs: number;
  readonly action: AnomalyAction;
  readonly name?: string;
}

/** The monitor, and the wrapper that feeds it. */
export interface RepeatedToolCallsMonitor extends Monitor {
  /** The tool, unchanged but for reporting each call (its name and canonical arguments' hash). */
  watch<I, O>(tool: Tool<I, O>): Tool<I, O>;
}

/**
 * The same tool with the same arguments, over and over, across tasks and agents: what one run's
 * loop guard cannot see (it counts within a run). Keyed `<tool>:<hash of the arguments>`.
 */
export function repeatedToolCallsMonitor(
  options: RepeatedToolCallsOptions,
): RepeatedToolCallsMonitor {
  const clock = checkClock('clock', options?.clock);
  const max = checkInt('max', options.max, 1);
  const counts = new SlidingCount(checkInt('windowMs', options.windowMs, 1));
  const reporters = new Set<(readings: readonly MonitorReading[]) => void>();
  const report = (key: string) => {
    const reading = { key, value: counts.add(key, 1, clock.now()), threshold: max };
    for (const r of reporters) r([reading]);
  };
  return {
    name: options.name ?? 'repeated-tool-calls',
    action: options.action,
    attach(reporter) {
      reporters.add(reporter);
      return () => reporters.delete(reporter);
    },
    watch<I, O>(tool: Tool<I, O>): Tool<I, O> {
      return {
        ...tool,
        run: (input, ctx) => {
          report(`${tool.name}:${argsHash(input)}`);
          return tool.run(input, ctx);
        },
      };
    },
  };
}
