import { readFileSync } from 'node:fs';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';

/**
 * A stub provider on 127.0.0.1 (port 0) that answers with recorded wire bytes. It keeps every
 * request it saw, tells when the client hung up before the answer was complete, and destroys
 * every socket on close, so a test that leaves a response hanging leaks nothing.
 */
export interface StubRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  /** Resolves when the client closed the connection before the response was complete. */
  readonly abandoned: Promise<void>;
}

export type StubHandler = (request: StubRequest, response: ServerResponse) => void;

export interface StubServer {
  readonly baseUrl: string;
  readonly requests: StubRequest[];
  /** The next request to arrive (or the earliest one not yet taken). */
  nextRequest(): Promise<StubRequest>;
  close(): Promise<void>;
}

const FIXTURES = join(import.meta.dirname, '__fixtures__');

/** A recorded response body, byte for byte. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixture(name));
}

export async function startStub(handler: StubHandler): Promise<StubServer> {
  const sockets = new Set<Socket>();
  const requests: StubRequest[] = [];
  const waiting: ((request: StubRequest) => void)[] = [];
  let taken = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      const abandoned = new Promise<void>((resolve) => {
        res.on('close', () => {
          if (!res.writableFinished) resolve();
        });
      });
      const request: StubRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        abandoned,
      };
      requests.push(request);
      const waiter = waiting.shift();
      if (waiter !== undefined) {
        taken++;
        waiter(request);
      }
      handler(request, res);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    nextRequest() {
      if (taken < requests.length) return Promise.resolve(requests[taken++] as StubRequest);
      return new Promise((resolve) => waiting.push(resolve));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body);
}

/** Writes an event stream in chunks of `chunkSize` bytes, so events and characters split. */
export function sendSse(res: ServerResponse, text: string, chunkSize = 61): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunkSize) res.write(bytes.subarray(i, i + chunkSize));
  res.end();
}

/** A handler that answers every request with a recorded JSON body. */
export function replyJson(
  name: string,
  status = 200,
  headers: Record<string, string> = {},
): StubHandler {
  return (_, res) => sendJson(res, status, fixture(name), headers);
}
