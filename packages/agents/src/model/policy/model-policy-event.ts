import type { BreakerEvent } from '@warden/machines';
import type { ResilienceEvent } from '@warden/resilience';

/** The policy's own decisions, beside those of the resilience pieces it is made of. */
export type ModelEvent =
  | {
      readonly type: 'model.paused';
      readonly time: number;
      readonly provider: string;
      /** Nothing is sent to the provider from this node before this time. */
      readonly until: number;
    }
  | {
      readonly type: 'model.degraded';
      readonly time: number;
      readonly source: string;
      /** The rung that answered: a fallback, `cache` or `static`. */
      readonly level: string;
    }
  | {
      readonly type: 'model.queued';
      readonly time: number;
      readonly source: string;
      readonly id: number;
      readonly depth: number;
    }
  | {
      readonly type: 'model.replayed';
      readonly time: number;
      readonly source: string;
      readonly id: number;
      /** The rung that answered the replay. */
      readonly level: string;
    }
  | {
      readonly type: 'model.queue_expired';
      readonly time: number;
      readonly source: string;
      readonly deadlineMs: number;
    };

/**
 * Everything the model layer decides, on one stream: retries, sheds and degradations
 * (`@warden/resilience`), trips and probes (`@warden/machines`), pauses and degraded answers.
 */
export type ModelPolicyEvent = ResilienceEvent | BreakerEvent | ModelEvent;

export type ModelPolicyObserver = (event: ModelPolicyEvent) => void;
