import type { Clock } from '@warden/core';
import { type CircuitBreaker, isMachinesError } from '@warden/machines';
import {
  DegradationLadder,
  type HealthState,
  type Level,
  type LevelHealth,
  type ResilienceObserver,
  type Unsubscribe,
} from '@warden/resilience';
import { ModelCallError } from '../model-call-error.js';
import type { ModelClient } from '../model-client.js';
import { FAILURE_HANDLING } from './failure-handling.js';
import type { LadderEntry, LadderResult } from './ladder-entry.js';
import { isAbort, toModelCallError } from './model-failure.js';
import type { ModelPolicy } from './model-policy.js';
import type { ResponseCache } from './response-cache.js';
import { type StaticAnswer, staticResponse } from './static-answer.js';

/** The rungs of a model's ladder, best first. */
export interface ModelLadderOptions {
  readonly clock: Clock;
  readonly name: string;
  readonly policy: ModelPolicy;
  readonly primary: ModelClient;
  readonly fallbacks: readonly ModelClient[];
  readonly cache: ResponseCache | undefined;
  readonly staticAnswer: StaticAnswer | undefined;
  readonly observer: ResilienceObserver | undefined;
  /** The primary's rung as the ladder sees it (its health, and a failure met before the ladder). */
  readonly primaryRung: PrimaryRung;
}

/**
 * The primary's health as the ladder reads it, and the way `createResilientModel` serves a call
 * from the primary before the ladder: when that first try fails, `replay` hands the call to the
 * ladder with that failure, and the ladder's primary rung answers it at once (without calling the
 * model again), so the ladder falls through as if it had made the call itself. While it replays,
 * the primary reads as available, as it was when the call began (its breaker may have opened on
 * that very failure), so the ladder's events are the same either way.
 */
export class PrimaryRung implements LevelHealth {
  readonly breaker: CircuitBreaker;
  #entry: LadderEntry | undefined;
  #error: unknown;

  constructor(breaker: CircuitBreaker) {
    this.breaker = breaker;
  }

  get state(): HealthState {
    return this.#entry !== undefined ? 'closed' : this.breaker.state;
  }

  onStateChange(listener: () => void): Unsubscribe {
    return this.breaker.onStateChange(listener);
  }

  /** Runs `execute` (which must serve the ladder's first rung at once) with `error` to replay. */
  replay<T>(entry: LadderEntry, error: unknown, execute: () => T): T {
    this.#entry = entry;
    this.#error = error;
    try {
      return execute();
    } finally {
      this.#entry = undefined;
      this.#error = undefined;
    }
  }

  /** The failure to answer `entry` with, if it is the one being replayed. */
  take(entry: LadderEntry): { readonly error: unknown } | undefined {
    if (this.#entry !== entry) return undefined;
    const error = this.#error;
    this.#entry = undefined;
    this.#error = undefined;
    return { error };
  }
}

/**
 * Builds the `DegradationLadder` of `@warden/resilience` for one model: `primary`, then each
 * fallback (each behind its provider's breaker, as the rung's health), `cache` and `static`.
 * A model rung whose breaker is open is skipped without a call; a rung that fails passes the
 * call down; a failure that must not degrade comes back as data and ends the call. The queue,
 * the last rung, is `ModelQueue`: it takes what this ladder cannot serve.
 */
export function createModelLadder(
  options: ModelLadderOptions,
): DegradationLadder<LadderEntry, LadderResult> {
  const { policy, cache } = options;
  const levels: Level<LadderEntry, LadderResult>[] = [];
  const rung = options.primaryRung;
  const primary = options.primary;
  levels.push({
    name: 'primary',
    health: rung,
    serve: (entry, context) => {
      const replayed = rung.take(entry);
      if (replayed !== undefined) return Promise.reject(replayed.error);
      return serveModel(policy, primary, 'primary', entry, context.signal, cache);
    },
  });
  options.fallbacks.forEach((client, i) => {
    const name = `fallback-${i + 1}`;
    levels.push({
      name,
      health: policy.breaker(client.provider),
      serve: (entry, context) => serveModel(policy, client, name, entry, context.signal, cache),
    });
  });
  if (cache !== undefined) {
    levels.push({
      name: 'cache',
      serve: (entry) => {
        if (entry.abandoned) return SKIPPED;
        const response = cache.get(entry.request);
        if (response === undefined) throw declined('cache', 'no earlier answer to this request');
        return { kind: 'response', level: 'cache', response };
      },
    });
  }
  const answer = options.staticAnswer;
  if (answer !== undefined) {
    levels.push({
      name: 'static',
      serve: (entry) => {
        if (entry.abandoned) return SKIPPED;
        const response = staticResponse(answer, entry.request);
        if (response === undefined) throw declined('static', 'no static answer fits this request');
        return { kind: 'response', level: 'static', response };
      },
    });
  }
  return new DegradationLadder<LadderEntry, LadderResult>({
    clock: options.clock,
    levels,
    name: options.name,
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
}

const SKIPPED: LadderResult = Object.freeze({ kind: 'skipped' });

/**
 * One model rung: the call through the policy. A failure that must not degrade comes back as
 * data (`final`); one that may is thrown, for the ladder to pass the call down.
 */
export async function serveModel(
  policy: ModelPolicy,
  client: ModelClient,
  level: string,
  entry: LadderEntry,
  signal: AbortSignal,
  cache: ResponseCache | undefined,
): Promise<LadderResult> {
  if (entry.abandoned) return SKIPPED;
  try {
    if (entry.mode === 'stream') {
      const stream = await policy.openStream(client, entry.request, signal);
      return { kind: 'stream', level, stream };
    }
    const response = await policy.generate(client, entry.request, signal);
    cache?.set(entry.request, response);
    return { kind: 'response', level, response };
  } catch (error) {
    return rungFailure(client, level, entry, signal, error);
  }
}

/**
 * How a model rung's failure goes on: an abort is thrown as it is; a failure that must not
 * degrade comes back as data (`final`); one that may is thrown, typed, for the ladder to pass the
 * call down. The primary's first failure is kept on the entry (why the call was degraded).
 */
export function rungFailure(
  client: ModelClient,
  level: string,
  entry: LadderEntry,
  signal: AbortSignal,
  error: unknown,
): LadderResult {
  if (signal.aborted || isAbort(error)) throw error;
  const failure = toModelCallError(error, client);
  const skippedByBreaker = isMachinesError(error);
  if (level === 'primary' && !skippedByBreaker) entry.primaryError ??= failure;
  if (!FAILURE_HANDLING[failure.kind].degrades && !skippedByBreaker) {
    return { kind: 'final', error: failure };
  }
  throw failure;
}

function declined(level: string, message: string): ModelCallError {
  return new ModelCallError('unknown', `${level}: ${message}`, {
    providerCode: `${level}_declined`,
    retryable: false,
  });
}
