import type { ModelErrorKind } from '../model/model-call-error.js';
import { checkNumber, invalidOption } from '../model/policy/option-checks.js';

/**
 * What a fault does to a call of the scripted model:
 * - `latency`: the answer (or the error) comes this much later on the clock; latencies add up;
 * - `error`: the call fails with a `ModelCallError` of this kind, status and `Retry-After`;
 * - `hang`: the call never answers, until the caller aborts or the call's deadline passes;
 * - `garbage`: the provider sends a 200 whose body does not parse (`server`, as the real clients
 *   report it); a stream breaks after one event.
 */
export type FaultEffect =
  | { readonly type: 'latency'; readonly ms: number }
  | {
      readonly type: 'error';
      readonly kind: ModelErrorKind;
      readonly status?: number;
      readonly retryAfterMs?: number;
      readonly providerCode?: string;
      readonly message?: string;
    }
  | { readonly type: 'hang' }
  | { readonly type: 'garbage' };

/** Which calls a fault hits: by call index (0-based) and/or by time; all given conditions hold. */
export interface FaultWhen {
  /** Call indexes: a list, or a range `[from, to)`. */
  readonly calls?: readonly number[] | { readonly from?: number; readonly to?: number };
  /** From this time on the clock (inclusive). */
  readonly fromMs?: number;
  /** Until this time on the clock (exclusive). */
  readonly toMs?: number;
  /** The chance, drawn from the model's seeded generator, that a matching call is hit. */
  readonly probability?: number;
}

/** One line of a fault schedule: plain data, so a test can write, print and replay it. */
export interface FaultRule extends FaultWhen {
  readonly effect: FaultEffect;
}

function error(
  kind: ModelErrorKind,
  status: number | undefined,
  providerCode: string,
  message: string,
  retryAfterMs?: number,
): FaultEffect {
  return {
    type: 'error',
    kind,
    ...(status === undefined ? {} : { status }),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    providerCode,
    message,
  };
}

/** The effects of the failures providers really send, with the status and code each comes with. */
export const faults = Object.freeze({
  latency: (ms: number): FaultEffect => ({ type: 'latency', ms }),
  rateLimited: (retryAfterMs?: number): FaultEffect =>
    error('rate_limited', 429, 'rate_limit_exceeded', 'Rate limit reached', retryAfterMs),
  quotaExhausted: (): FaultEffect =>
    error('quota_exhausted', 429, 'insufficient_quota', 'You exceeded your current quota'),
  /** 500 and 502 are `server`, 503 and 529 `overloaded`, 504 `timeout`, as providers send them. */
  serverError: (status = 500, retryAfterMs?: number): FaultEffect => {
    if (status === 503 || status === 529) {
      return error('overloaded', status, 'overloaded_error', 'Overloaded', retryAfterMs);
    }
    if (status === 504) return error('timeout', status, 'gateway_timeout', 'Gateway timeout');
    return error('server', status, 'server_error', 'Internal server error', retryAfterMs);
  },
  overloaded: (retryAfterMs?: number): FaultEffect =>
    error('overloaded', 529, 'overloaded_error', 'Overloaded', retryAfterMs),
  network: (): FaultEffect => error('network', undefined, 'ECONNRESET', 'socket hang up'),
  auth: (): FaultEffect => error('auth', 401, 'invalid_api_key', 'Incorrect API key provided'),
  badRequest: (): FaultEffect =>
    error('bad_request', 400, 'invalid_request_error', 'Invalid request'),
  contentFilter: (): FaultEffect =>
    error('content_filter', 400, 'content_filter', 'The response was filtered'),
  hang: (): FaultEffect => ({ type: 'hang' }),
  garbage: (): FaultEffect => ({ type: 'garbage' }),
});

/** The provider is down between two instants: every call gets `effect` (default a 502). */
export function outage(fromMs: number, toMs: number, effect = faults.serverError(502)): FaultRule {
  return { fromMs, toMs, effect };
}

/** The API key stops working at `atMs` (and works again at `renewedAtMs`, if given). */
export function credentialsExpireAt(atMs: number, renewedAtMs?: number): FaultRule {
  return {
    fromMs: atMs,
    ...(renewedAtMs === undefined ? {} : { toMs: renewedAtMs }),
    effect: faults.auth(),
  };
}

/** Whether `rule` applies to call `index` at `now`, before its probability is drawn. */
export function ruleMatches(rule: FaultRule, index: number, now: number): boolean {
  if (rule.fromMs !== undefined && now < rule.fromMs) return false;
  if (rule.toMs !== undefined && now >= rule.toMs) return false;
  const calls = rule.calls;
  if (calls === undefined) return true;
  if (Array.isArray(calls)) return calls.includes(index);
  const range = calls as { readonly from?: number; readonly to?: number };
  return index >= (range.from ?? 0) && index < (range.to ?? Number.POSITIVE_INFINITY);
}

/** Validates a fault schedule, naming the bad rule and field. */
export function checkFaults(rules: readonly FaultRule[]): readonly FaultRule[] {
  if (!Array.isArray(rules)) throw invalidOption('faults', rules, 'a list of fault rules');
  rules.forEach((rule, i) => {
    const type = (rule as { effect?: { type?: unknown } } | null)?.effect?.type;
    if (!['latency', 'error', 'hang', 'garbage'].includes(type as string)) {
      throw invalidOption(`faults[${i}].effect`, rule?.effect, 'a FaultEffect');
    }
    if (rule.probability !== undefined) {
      checkNumber(`faults[${i}].probability`, rule.probability, 0, 1);
    }
    if (rule.effect.type === 'latency') {
      checkNumber(`faults[${i}].effect.ms`, rule.effect.ms, 0, 1e12);
    }
  });
  return [...rules];
}
