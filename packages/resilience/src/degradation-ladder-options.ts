import type { Clock } from '@warden/core';
import type { Observed } from './events.js';
import type { Level } from './ladder-level.js';
import type { QueueStore } from './queue-store.js';
import type { Replayed } from './served.js';

export interface DegradationLadderOptions<Req, Res> extends Observed {
  readonly clock: Clock;
  /** Best first. At most one queue level, and it comes last. */
  readonly levels: readonly Level<Req, Res>[];
  /** Requests the queue level holds; beyond it, `ERR_DEGRADED`. Default 100. */
  readonly queueCapacity?: number;
  /** Replays of one queued request before its `result` rejects with `ERR_DEGRADED`. Default 3. */
  readonly maxReplays?: number;
  /**
   * The ladder closes when this aborts (pass `node.signal`): it stops following its levels'
   * health, so a stopped node sees no level change and no event from it.
   */
  readonly signal?: AbortSignal;
  /**
   * Keeps what the queue level accepts, so a restart does not lose it: each request is `put`
   * before its caller is told it is queued, and deleted once its replay settled. A new ladder on
   * the same store takes the requests over with `restore()`. Needs a queue level and `onReplayed`.
   */
  readonly store?: QueueStore<Req>;
  /**
   * Receives the outcome of each restored request's replay, in queue order (their callers are
   * gone). Awaited before the store forgets the request: a crash before it resolves replays the
   * request again. Its failure is rethrown in a macrotask, as an observer's is.
   */
  readonly onReplayed?: (replayed: Replayed<Req, Res>) => PromiseLike<void> | void;
}

export const LADDER_DEFAULTS = Object.freeze({ queueCapacity: 100, maxReplays: 3 });
