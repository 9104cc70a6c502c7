import type { MachinesErrorData } from '../errors.js';
import type { CallOutcome } from './guarded-call.js';

/**
 * The messages of a breaker actor. Calls: `acquire` (answered with a `BreakerGrant`), `stats`
 * (`BreakerStats`), `save` (`BreakerSnapshot`). Casts: `settle`, `isolate`, `reset`.
 */
export type BreakerMessage =
  | { readonly $breaker: 'acquire' }
  | { readonly $breaker: 'stats' }
  | { readonly $breaker: 'save' }
  | {
      readonly $breaker: 'settle';
      readonly permit: number;
      readonly ticket: number;
      readonly outcome: CallOutcome;
    }
  | { readonly $breaker: 'isolate' }
  | { readonly $breaker: 'reset' };

/**
 * A breaker actor's answer to `acquire`. A grant carries the permit to settle, a `ticket` (non-zero
 * for a half-open trial, which the actor watches: if the caller dies before settling, the trial
 * slot is given back) and the call timeout the caller must enforce.
 */
export type BreakerGrant =
  | {
      readonly granted: true;
      readonly permit: number;
      readonly ticket: number;
      readonly callTimeoutMs: number | undefined;
    }
  | { readonly granted: false; readonly error: MachinesErrorData };

export function isBreakerMessage(value: unknown): value is BreakerMessage {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $breaker?: unknown }).$breaker === 'string'
  );
}
