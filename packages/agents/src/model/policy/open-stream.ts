import type { StreamEvent } from '../stream-event.js';

/**
 * The provider's slot and the breaker's permit held by one call. `end` reports how the call
 * ended and frees both; `release` frees them without a verdict (the caller stopped). Only the
 * first of the two counts.
 */
export interface Lease {
  end(error?: unknown): void;
  release(): void;
}

/**
 * A stream whose first event has arrived: from here on it is never retried (the caller may have
 * acted on what it read). It holds its lease until it is read to the end or closed.
 */
export interface OpenStream {
  readonly first: StreamEvent;
  readonly rest: AsyncIterator<StreamEvent>;
  readonly lease: Lease;
}

/** Closes a stream nobody will read (its caller went away): the provider's slot is freed. */
export function discardStream(stream: OpenStream): void {
  stream.lease.release();
  void Promise.resolve()
    .then(() => stream.rest.return?.())
    .catch(() => {});
}

/** The attempt's signal (retry deadline, caller) and, once the attempt returned, the caller's. */
export function joinSignals(attempt: AbortSignal, caller: AbortSignal | undefined): AbortSignal {
  return caller === undefined || caller === attempt ? attempt : AbortSignal.any([attempt, caller]);
}
