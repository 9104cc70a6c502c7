import { ModelCallError } from '../model-call-error.js';
import type { ModelResponse } from '../model-response.js';
import type { StreamEvent } from '../stream-event.js';
import { isAbort, toModelCallError } from './model-failure.js';
import { discardStream, type OpenStream } from './open-stream.js';
import { ResponseCollector } from './response-stream.js';

/**
 * Reads an opened stream to its end for the caller: the first event (already there), then the
 * rest. A failure after the first event is never retried (the caller may have acted on what it
 * read): it reaches the caller typed. The lease is settled once, however the stream ends; a
 * caller that stops reading frees the provider's slot. `done` gets the whole response.
 */
export async function* readStream(
  stream: OpenStream,
  identity: { readonly provider: string; readonly model: string },
  done: (response: ModelResponse) => void,
): AsyncGenerator<StreamEvent> {
  const { first, rest, lease } = stream;
  const collector = new ResponseCollector();
  let failure: unknown;
  let finished = false;
  try {
    collector.add(first);
    yield first;
    for (;;) {
      const next = await rest.next();
      if (next.done === true) break;
      collector.add(next.value);
      yield next.value;
    }
    const response = collector.response;
    if (response === undefined) {
      throw new ModelCallError('network', `${identity.provider}: the stream ended unfinished`, {
        provider: identity.provider,
        model: identity.model,
      });
    }
    finished = true;
    done(response);
  } catch (error) {
    failure = error;
    throw isAbort(error) ? error : toModelCallError(error, identity);
  } finally {
    if (finished || failure !== undefined) lease.end(failure);
    else discardStream(stream); // the caller stopped reading
  }
}
