import type { NodeEvent } from '@warden/core';
import { checkInt } from '../model/policy/option-checks.js';
import type { AnomalyAction } from './anomaly-action.js';
import type { Monitor, MonitorReading } from './monitor.js';
import { SlidingCount } from './sliding-count.js';

export interface TokenBurnOptions {
  /** At most this many tokens (input + output) per agent type within `windowMs`. */
  readonly maxTokens: number;
  readonly windowMs: number;
  readonly action: AnomalyAction;
  readonly name?: string;
}

/**
 * Tokens burnt per agent type over a moving window, from the usage each `agent.step` reports:
 * a budget stops one task at its limit; this sees a fleet of tasks, each within its budget,
 * burning together at a rate nobody planned.
 */
export function tokenBurnMonitor(options: TokenBurnOptions): Monitor {
  const maxTokens = checkInt('maxTokens', options?.maxTokens, 0);
  const counts = new SlidingCount(checkInt('windowMs', options.windowMs, 1));
  return {
    name: options.name ?? 'token-burn',
    action: options.action,
    observe(event: NodeEvent, now: number): readonly MonitorReading[] {
      if (event.type !== 'published' || event.event.type !== 'agent.step') return [];
      const { agent, usage } = event.event as {
        agent?: unknown;
        usage?: { inputTokens?: unknown; outputTokens?: unknown };
      };
      const tokens = Number(usage?.inputTokens) + Number(usage?.outputTokens);
      if (typeof agent !== 'string' || !Number.isFinite(tokens) || tokens < 0) return [];
      return [{ key: agent, value: counts.add(agent, tokens, now), threshold: maxTokens }];
    },
  };
}
