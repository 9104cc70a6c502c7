import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A stub API server on 127.0.0.1 that answers every POST with the same recorded stream. */
export interface SseStub {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the stub. Each request body is read to its end before the answer starts, as a real
 * server would; then every recorded event is one `write`, so the client receives the stream in
 * the pieces the API sends.
 */
export function startSseStub(events: readonly Uint8Array[]): Promise<SseStub> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      for (const event of events) res.write(event);
      res.end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/**
 * A `fetch` that answers every call with the recorded stream, one event per read, without any
 * socket: what remains of a client's time is its own request building and stream parsing.
 */
export function replayFetch(events: readonly Uint8Array[]): typeof fetch {
  return async () => {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const event = events[i++];
        if (event === undefined) controller.close();
        else controller.enqueue(event);
      },
    });
    return new Response(body, {
      status: 200,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
    });
  };
}
