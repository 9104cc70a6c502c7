import { ModelCallError } from '../model-call-error.js';
import type { ModelClient } from '../model-client.js';
import type { ModelRequest } from '../model-request.js';
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

/**
 * The signal a model call gets: it aborts with the attempt (the retry's deadline) or with the
 * caller, also after the retry has returned an open stream. `dispose` detaches it from the
 * caller's signal, which may live as long as the agent: nothing accumulates on it.
 */
export function joinSignals(
  attempt: AbortSignal,
  caller: AbortSignal | undefined,
): { readonly signal: AbortSignal; dispose(): void } {
  if (caller === undefined || caller === attempt) return { signal: attempt, dispose: () => {} };
  const controller = new AbortController();
  if (attempt.aborted || caller.aborted) {
    controller.abort(attempt.aborted ? attempt.reason : caller.reason);
    return { signal: controller.signal, dispose: () => {} };
  }
  const onAttempt = () => controller.abort(attempt.reason);
  const onCaller = () => controller.abort(caller.reason);
  attempt.addEventListener('abort', onAttempt, { once: true });
  caller.addEventListener('abort', onCaller, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      attempt.removeEventListener('abort', onAttempt);
      caller.removeEventListener('abort', onCaller);
    },
  };
}

/**
 * One attempt at a stream: opens it and waits for its first event, the point after which it is
 * never retried. The lease (and the joined signal) then live until the stream is settled.
 */
export async function openFirstEvent(
  client: ModelClient,
  request: ModelRequest,
  attempt: AbortSignal,
  lease: Lease,
): Promise<OpenStream> {
  const joined = joinSignals(attempt, request.signal);
  try {
    const rest = client.stream({ ...request, signal: joined.signal })[Symbol.asyncIterator]();
    const first = await rest.next();
    if (first.done === true) {
      throw new ModelCallError('network', `${client.provider}: the stream ended empty`, {
        provider: client.provider,
        model: client.model,
      });
    }
    const held: Lease = {
      end: (error?: unknown) => {
        joined.dispose();
        lease.end(error);
      },
      release: () => {
        joined.dispose();
        lease.release();
      },
    };
    return { first: first.value, rest, lease: held };
  } catch (error) {
    joined.dispose();
    throw error;
  }
}
