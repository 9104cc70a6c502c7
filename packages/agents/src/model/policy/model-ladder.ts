import type { Clock } from '@warden/core';
import { isMachinesError } from '@warden/machines';
import {
  DegradationLadder,
  type Level,
  type PolicyContext,
  type ResilienceObserver,
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
  [options.primary, ...options.fallbacks].forEach((client, i) => {
    const name = i === 0 ? 'primary' : `fallback-${i}`;
    levels.push({
      name,
      health: policy.breaker(client.provider),
      serve: (entry, context) => serveModel(policy, client, name, entry, context, cache),
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

async function serveModel(
  policy: ModelPolicy,
  client: ModelClient,
  level: string,
  entry: LadderEntry,
  { signal }: PolicyContext,
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
    if (signal.aborted || isAbort(error)) throw error;
    const failure = toModelCallError(error, client);
    const skippedByBreaker = isMachinesError(error);
    if (level === 'primary' && !skippedByBreaker) entry.primaryError ??= failure;
    if (!FAILURE_HANDLING[failure.kind].degrades && !skippedByBreaker) {
      return { kind: 'final', error: failure };
    }
    throw failure;
  }
}

function declined(level: string, message: string): ModelCallError {
  return new ModelCallError('unknown', `${level}: ${message}`, {
    providerCode: `${level}_declined`,
    retryable: false,
  });
}
