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
import { signTranscript, transcriptSigned, verifyCertificate } from './certificate.js';
import {
  CHALLENGE_PATH,
  ChallengeIssuer,
  type ClientHello,
  clientProof,
  clientTranscript,
  HEADER,
  type Identity,
  PROTOCOL_VERSION,
  proofMatches,
  readHello,
  serverProof,
  serverTranscript,
  UPGRADE_PATH,
} from './handshake.js';
import { HandshakeGuard } from './handshake-guard.js';

/** What the listening side asks of its transport. */
export interface AcceptorHost {
  identity(): Identity;
  /** 0 to accept an authenticated hello, else the HTTP status to refuse it with. */
  admit(hello: ClientHello): number;
  accepted(ws: WebSocket, hello: ClientHello): void;
}

const MAX_HEADER_BYTES = 8192;

/** A verdict of `#verify`: refuse with this status, or admit this hello. */
type Verdict = { status: number; reason: string; failed: boolean } | { hello: ClientHello };

/**
 * The listening side: an HTTP(S) server answering challenges and upgrades. Every check of the
 * handshake runs on the raw request, before `handleUpgrade` creates a WebSocket: a request that
 * fails one is answered with a bare status line and its socket destroyed. Origin headers are
 * refused (403): no browser page may reach a node.
 *
 * Every socket is pending from its first byte until its upgrade completes: at most
 * `maxPendingHandshakes` at once (more are destroyed on arrival), and each is destroyed once
 * `handshakeTimeout` has passed, whatever state its request is in. Node's own `headersTimeout`
 * and `requestTimeout` are checked only every `connectionsCheckingInterval`, so they alone would
 * let a slow request live for that interval.
 */
export class Acceptor {
  readonly #options: ResolvedOptions;
  readonly #host: AcceptorHost;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #issuer = new ChallengeIssuer();
  readonly #guard: HandshakeGuard;
  readonly #challengeLife: number;
  readonly #proofs = new WeakMap<IncomingMessage, string[]>();
  readonly #raw = new Set<Duplex>();
  /** Sockets that have not completed a handshake, with the timer that ends them. */
  readonly #pending = new Map<Socket, ReturnType<typeof setTimeout>>();
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedOptions, host: AcceptorHost) {
    this.#options = options;
    this.#host = host;
    this.#challengeLife = challengeLife(options);
    // A used challenge is remembered as long as it could still be presented (twice its life,
    // so that a wall clock that steps back does not revive it).
    this.#guard = new HandshakeGuard(
      options.perIdentity,
      options.perAddress,
      this.#challengeLife * 2,
      options.replayCacheSize,
    );
    const serverOptions = {
      maxHeaderSize: MAX_HEADER_BYTES,
      headersTimeout: options.handshakeTimeout,
      requestTimeout: options.handshakeTimeout,
      connectionsCheckingInterval: Math.min(options.handshakeTimeout, 1000),
      keepAliveTimeout: 1,
    };
    this.#server = options.tls
      ? createHttpsServer(
          {
            ...serverOptions,
            handshakeTimeout: options.handshakeTimeout,
            cert: options.tls.cert,
            key: options.tls.key,
          },
          this.#onRequest,
        )
      : createHttpServer(serverOptions, this.#onRequest);
    this.#server.timeout = options.handshakeTimeout;
    this.#server.on('connection', this.#onConnection);
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
      for (const [socket, timer] of this.#pending) {
        clearTimeout(timer);
        socket.destroy();
      }
      this.#pending.clear();
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

  /** Pending sockets in all (for tests and stats). */
  get pendingSockets(): number {
    return this.#pending.size;
  }

  readonly #onConnection = (socket: Socket): void => {
    if (this.#pending.size >= this.#options.maxPendingHandshakes || this.#closing !== undefined) {
      this.#event(503, 'too many pending handshakes');
      socket.destroy();
      return;
    }
    const timer = setTimeout(() => {
      this.#pending.delete(socket);
      socket.destroy();
    }, this.#options.handshakeTimeout);
    timer.unref();
    this.#pending.set(socket, timer);
    socket.once('close', () => this.#settled(socket));
  };

  /** The socket completed its handshake or closed: no longer pending. */
  #settled(socket: Duplex): void {
    // Under TLS the upgrade's socket wraps the TCP socket that was pending.
    const raw = this.#pending.has(socket as Socket)
      ? (socket as Socket)
      : (socket as { _parent?: Socket })._parent;
    if (raw === undefined) return;
    const timer = this.#pending.get(raw);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#pending.delete(raw);
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
    const address = req.socket.remoteAddress ?? '';
    const now = this.#options.wallClock();
    const verdict = this.#guard.addressAllowed(address, now)
      ? this.#verify(req, now)
      : { status: 429, reason: 'too many failed handshakes', failed: false };
    if ('status' in verdict) {
      if (verdict.failed) this.#guard.failed(address, now);
      this.#event(verdict.status, verdict.reason);
      socket.once('finish', () => socket.destroy());
      socket.end(
        `HTTP/1.1 ${verdict.status} ${STATUS_CODES[verdict.status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`,
      );
      return;
    }
    const { hello } = verdict;
    const self = this.#host.identity();
    const { certificate, privateKey } = this.#options.identity;
    const headers = [
      `${HEADER.node}: ${self.node}`,
      `${HEADER.incarnation}: ${self.incarnation}`,
      `${HEADER.address}: ${self.address}`,
      `${HEADER.maxPayload}: ${self.maxPayload}`,
      `${HEADER.proof}: ${serverProof(this.#options.secret, hello, self)}`,
      `${HEADER.certificate}: ${certificate}`,
      `${HEADER.signature}: ${signTranscript(privateKey, serverTranscript(hello, self))}`,
    ];
    this.#proofs.set(req, headers);
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.#raw.delete(socket);
      this.#settled(socket);
      socket.off('error', destroyQuietly);
      this.#host.accepted(ws, hello);
    });
  };

  /**
   * Every check, cheapest first, on the raw request: path, Origin, header shapes, the challenge
   * token (ours, fresh), the clock skew, the target, the proof (constant time), the certificate
   * and the signature; then, for a hello that proved who it is, the replay cache and rate limit
   * of that identity and the transport's admission. A refusal before
   * the identity is proven is `failed`: it costs the source address. Nothing is allocated for a
   * request before its proof is checked.
   */
  #verify(req: IncomingMessage, now: number): Verdict {
    const refuse = (status: number, reason: string, failed = true): Verdict => ({
      status,
      reason,
      failed,
    });
    if (this.#closing !== undefined) return refuse(503, 'closing', false);
    if (req.method !== 'GET' || req.url !== UPGRADE_PATH) return refuse(404, 'unknown path');
    if (hasOrigin(req)) return refuse(403, 'origin header');
    const hello = readHello(req.headers);
    if (hello === undefined) return refuse(401, 'malformed hello');
    const window = this.#options.handshakeWindow;
    const challenge = this.#issuer.check(hello.challenge, now, this.#challengeLife);
    if (challenge === undefined) return refuse(401, 'unknown or expired challenge');
    if (Math.abs(now - hello.time) > window) return refuse(401, 'clock skew');
    if (hello.target !== this.#host.identity().node) return refuse(401, 'wrong target node');
    const proof = req.headers[HEADER.proof];
    const expected = clientProof(this.#options.secret, hello);
    if (!proofMatches(expected, typeof proof === 'string' ? proof : undefined)) {
      return refuse(401, 'bad proof');
    }
    const clusterKey = this.#options.identity.clusterKey;
    const certificate = verifyCertificate(clusterKey, hello.certificate, now);
    if (typeof certificate === 'string') return refuse(401, certificate);
    if (certificate.node !== hello.node) return refuse(401, 'certificate names another node');
    if (
      !transcriptSigned(certificate.key, clientTranscript(hello), req.headers[HEADER.signature])
    ) {
      return refuse(401, 'bad signature');
    }
    if (this.#guard.replayed(hello.node, challenge, now)) return refuse(401, 'replayed handshake');
    // From here the hello proved its identity: what follows is charged to it, not to the address.
    const admitted = this.#guard.admit(hello.node, challenge, now);
    if (admitted === 'replayed') return refuse(401, 'replayed handshake');
    if (admitted === 'limited') return refuse(429, 'too many handshakes', false);
    if (admitted === 'full') return refuse(503, 'replay cache full', false);
    const status = this.#host.admit(hello);
    if (status !== 0) return refuse(status, 'not admitted', false);
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

/**
 * How long a challenge may be answered: the server issued it on its own clock, so no skew is
 * involved; a dialer answers at once, within two handshake timeouts. Capped by the window.
 */
function challengeLife(options: ResolvedOptions): number {
  return Math.min(options.handshakeWindow, 2 * options.handshakeTimeout);
}

function hasOrigin(req: IncomingMessage): boolean {
  return req.headers.origin !== undefined || req.headers['sec-websocket-origin'] !== undefined;
}

function destroyQuietly(this: Socket | Duplex): void {
  this.destroy();
}
