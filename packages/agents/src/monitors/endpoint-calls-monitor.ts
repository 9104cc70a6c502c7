import type { NodeEvent } from '@warden/core';
import { checkInt } from '../model/policy/option-checks.js';
import type { AnomalyAction } from './anomaly-action.js';
import type { Monitor, MonitorReading } from './monitor.js';
import { SlidingCount } from './sliding-count.js';

export interface EndpointCallsOptions {
  /** At most this many model calls per model within `windowMs`. */
  readonly max: number;
  readonly windowMs: number;
  readonly action: AnomalyAction;
  readonly name?: string;
}

/**
 * Model calls per endpoint (the model that answered, as each `agent.step` names it) over a
 * moving window: a retry storm or a loop shows as calls to one endpoint far above its usual
 * rate, before its provider's rate limit answers with 429s.
 */
export function endpointCallsMonitor(options: EndpointCallsOptions): Monitor {
  const max = checkInt('max', options?.max, 0);
  const counts = new SlidingCount(checkInt('windowMs', options.windowMs, 1));
  return {
    name: options.name ?? 'endpoint-calls',
    action: options.action,
    observe(event: NodeEvent, now: number): readonly MonitorReading[] {
      if (event.type !== 'published' || event.event.type !== 'agent.step') return [];
      const model = (event.event as { model?: unknown }).model;
      if (typeof model !== 'string') return [];
      return [{ key: model, value: counts.add(model, 1, now), threshold: max }];
    },
  };
}
