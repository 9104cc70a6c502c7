import type { SseEvent } from '../sse.js';
import type { StreamEvent } from '../stream-event.js';

/** A provider's reading of its stream: event data in, our events out; `end` checks completion. */
export interface StreamState {
  accept(data: string, out: StreamEvent[]): void;
  end(): void;
}

/**
 * Our events from batches of server-sent events, read through a provider's `state`. `open` runs
 * on the first `next()`, so a request that cannot be built fails in the consumer's loop like any
 * other failure. When an event is an error (or breaks the rules), what the events before it in
 * the same batch produced is delivered first, then the error is thrown: the consumer sees the
 * same sequence however the bytes were chunked.
 */
export async function* streamEvents(
  open: () => AsyncIterable<readonly SseEvent[]>,
  state: StreamState,
): AsyncGenerator<StreamEvent, void, undefined> {
  const out: StreamEvent[] = [];
  for await (const batch of open()) {
    let failed = false;
    let failure: unknown;
    for (let i = 0; i < batch.length; i++) {
      try {
        state.accept((batch[i] as SseEvent).data, out);
      } catch (error) {
        failed = true;
        failure = error;
        break;
      }
    }
    for (let i = 0; i < out.length; i++) yield out[i] as StreamEvent;
    out.length = 0;
    if (failed) throw failure;
  }
  state.end();
}
