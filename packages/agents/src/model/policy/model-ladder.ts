import type { Clock } from '@warden/core';
import { type CircuitBreaker, isMachinesError } from '@warden/machines';
import {
  DegradationLadder,
  type Level,
  type LevelHealth,
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
  readonly queueCapacity: number | undefined;
  readonly observer: ResilienceObserver | undefined;
}

/** Never reached: the queue deadline ends a waiting call long before (see `createResilientModel`). */
const UNBOUNDED_REPLAYS = 1_000_000;

/**
 * Builds the `DegradationLadder` of `@warden/resilience` for one model: `primary`, then each
 * fallback (each behind its provider's breaker, as the rung's health), `cache`, `static`, and
 * `queue`. A model rung whose breaker is open is skipped without a call; a rung that fails passes
 * the call down; a failure that must not degrade comes back as data and ends the call.
 */
export function createModelLadder(options: ModelLadderOptions): ModelLadder {
  const { policy, cache } = options;
  const levels: Level<LadderEntry, LadderResult>[] = [];
  const nudges = new Set<() => void>();
  [options.primary, ...options.fallbacks].forEach((client, i) => {
    const name = i === 0 ? 'primary' : `fallback-${i}`;
    levels.push({
      name,
      health: nudgeable(policy.breaker(client.provider), nudges),
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
  if (options.queueCapacity !== undefined) levels.push({ name: 'queue', queue: true });
  const ladder = new DegradationLadder<LadderEntry, LadderResult>({
    clock: options.clock,
    levels,
    ...(options.queueCapacity === undefined ? {} : { queueCapacity: options.queueCapacity }),
    maxReplays: UNBOUNDED_REPLAYS,
    name: options.name,
    ...(options.observer === undefined ? {} : { observer: options.observer }),
  });
  return {
    ladder,
    nudge: () => {
      for (const listener of [...nudges]) listener();
    },
  };
}

/** The ladder, and a way to make it try its queue again (the ladder replays on health changes). */
export interface ModelLadder {
  readonly ladder: DegradationLadder<LadderEntry, LadderResult>;
  /**
   * Asks the ladder to replay its queue now. A breaker that never opens (a failure below its
   * threshold, a 429) never changes state, so without this a queued call could wait for the
   * next arrival; the resilient model nudges on a timer while calls are queued.
   */
  readonly nudge: () => void;
}

/** A breaker as a rung's health, whose listeners can also be called by `nudge`. */
function nudgeable(breaker: CircuitBreaker, nudges: Set<() => void>): LevelHealth {
  return {
    get state() {
      return breaker.state;
    },
    onStateChange(listener: () => void) {
      const off = breaker.onStateChange(() => listener());
      nudges.add(listener);
      return () => {
        off();
        nudges.delete(listener);
      };
    },
  };
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
