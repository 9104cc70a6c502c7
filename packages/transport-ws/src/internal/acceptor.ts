import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { ResolvedOptions } from '../options.js';
import {
  CHALLENGE_PATH,
  ChallengeIssuer,
  type ClientHello,
  clientProof,
  HEADER,
  type Identity,
  PROTOCOL_VERSION,
  proofMatches,
  readHello,
  serverProof,
  UPGRADE_PATH,
} from './handshake.js';
import { ReplayCache } from './replay-cache.js';

/** What the listening side asks of its transport. */
export interface AcceptorHost {
  identity(): Identity;
  /** 0 to accept an authenticated hello, else the HTTP status to refuse it with. */
  admit(hello: ClientHello): number;
  accepted(ws: WebSocket, hello: ClientHello): void;
}

const MAX_HEADER_BYTES = 8192;

/**
 * The listening side: an HTTP(S) server answering challenges and upgrades. Every check of the
 * handshake runs on the raw request, before `handleUpgrade` creates a WebSocket: a request that
 * fails one is answered with a bare status line and its socket destroyed. Origin headers are
 * refused (403): no browser page may reach a node.
 */
export class Acceptor {
  readonly #options: ResolvedOptions;
  readonly #host: AcceptorHost;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #issuer = new ChallengeIssuer();
  readonly #replays: ReplayCache;
  readonly #proofs = new WeakMap<IncomingMessage, string[]>();
  readonly #raw = new Set<Duplex>();
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedOptions, host: AcceptorHost) {
    this.#options = options;
    this.#host = host;
    this.#replays = new ReplayCache(options.handshakeWindow * 2, options.replayCacheSize);
    const serverOptions = {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: options.handshakeTimeout,
      requestTimeout: options.handshakeTimeout,
      keepAliveTimeout: 1,
    };
    this.#server = options.tls
      ? createHttpsServer(
          { ...serverOptions, cert: options.tls.cert, key: options.tls.key },
          this.#onRequest,
        )
      : createHttpServer(serverOptions, this.#onRequest);
    this.#server.on('upgrade', this.#onUpgrade);
    this.#server.on('clientError', (_error, socket: Duplex) => socket.destroy());
    this.#wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      maxPayload: options.maxPayload,
      clientTracking: false,
      closeTimeout: 2000,
    } as ConstructorParameters<typeof WebSocketServer>[0]);
    this.#wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const extra = this.#proofs.get(req);
      if (extra !== undefined) headers.push(...extra);
    });
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen({ host, port, exclusive: true }, () => {
        this.#server.off('error', onError);
        const bound = this.#server.address() as AddressInfo;
        resolve({ host, port: bound.port });
      });
    });
  }

  get listening(): boolean {
    return this.#server.listening;
  }

  /** Stops listening and destroys sockets still in the handshake. Established ones are not ours. */
  close(): Promise<void> {
    this.#closing ??= new Promise((resolve) => {
      for (const socket of this.#raw) socket.destroy();
      this.#raw.clear();
      this.#wss.close();
      if (!this.#server.listening) {
        resolve();
        return;
      }
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
    return this.#closing;
  }

  readonly #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('connection', 'close');
    res.setHeader('cache-control', 'no-store');
    if (req.method !== 'GET' || req.url !== CHALLENGE_PATH) {
      this.#event(404, 'unknown path');
      res.writeHead(404).end();
      return;
    }
    if (hasOrigin(req)) {
      this.#event(403, 'origin header');
      res.writeHead(403).end();
      return;
    }
    const self = this.#host.identity();
    res.setHeader(HEADER.version, PROTOCOL_VERSION);
    res.setHeader(HEADER.node, self.node);
    res.setHeader(HEADER.challenge, this.#issuer.issue(this.#options.wallClock()));
    res.writeHead(200).end();
  };

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', destroyQuietly);
    this.#raw.add(socket);
    socket.once('close', () => this.#raw.delete(socket));
    const verdict = this.#verify(req);
    if ('status' in verdict) {
      this.#event(verdict.status, verdict.reason);
      socket.once('finish', () => socket.destroy());
      socket.end(
        `HTTP/1.1 ${verdict.status} ${STATUS_CODES[verdict.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    const { hello } = verdict;
    const self = this.#host.identity();
    this.#proofs.set(req, [
      `${HEADER.node}: ${self.node}`,
      `${HEADER.incarnation}: ${self.incarnation}`,
      `${HEADER.address}: ${self.address}`,
      `${HEADER.maxPayload}: ${self.maxPayload}`,
      `${HEADER.proof}: ${serverProof(this.#options.secret, hello, self)}`,
    ]);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#raw.delete(socket);
      socket.off('error', destroyQuietly);
      this.#host.accepted(ws, hello);
    });
  };

  /**
   * Every check, cheapest first, on the raw request: path, Origin, header shapes, the challenge
   * token (ours, fresh), the clock skew, the target, the proof (constant time); then, for a hello
   * that proved the secret, the replay cache and the transport's admission. Nothing is allocated
   * for a request before its proof is checked.
   */
  #verify(req: IncomingMessage): { status: number; reason: string } | { hello: ClientHello } {
    if (this.#closing !== undefined) return { status: 503, reason: 'closing' };
    if (req.method !== 'GET' || req.url !== UPGRADE_PATH)
      return { status: 404, reason: 'unknown path' };
    if (hasOrigin(req)) return { status: 403, reason: 'origin header' };
    const hello = readHello(req.headers);
    if (hello === undefined) return { status: 401, reason: 'malformed hello' };
    const now = this.#options.wallClock();
    const window = this.#options.handshakeWindow;
    const challenge = this.#issuer.check(hello.challenge, now, window);
    if (challenge === undefined) return { status: 401, reason: 'unknown or expired challenge' };
    if (Math.abs(now - hello.time) > window) return { status: 401, reason: 'clock skew' };
    if (hello.target !== this.#host.identity().node)
      return { status: 401, reason: 'wrong target node' };
    const proof = req.headers[HEADER.proof];
    const expected = clientProof(this.#options.secret, hello);
    if (!proofMatches(expected, typeof proof === 'string' ? proof : undefined)) {
      return { status: 401, reason: 'bad proof' };
    }
    const replay = this.#replays.add(challenge, now);
    if (replay === 'replayed') return { status: 401, reason: 'replayed handshake' };
    if (replay === 'full') return { status: 503, reason: 'replay cache full' };
    const status = this.#host.admit(hello);
    if (status !== 0) return { status, reason: 'not admitted' };
    return { hello };
  }

  #event(status: number, reason: string): void {
    try {
      this.#options.onEvent({ type: 'handshake.rejected', status, reason });
    } catch {
      // an observer cannot hurt the transport
    }
  }
}

function hasOrigin(req: IncomingMessage): boolean {
  return req.headers.origin !== undefined || req.headers['sec-websocket-origin'] !== undefined;
}

function destroyQuietly(this: Socket | Duplex): void {
  this.destroy();
}
