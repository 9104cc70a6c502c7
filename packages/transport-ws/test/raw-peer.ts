import type WebSocket from 'ws';
import { parseAddress } from '../src/address.js';
import { decode, encode } from '../src/internal/codec.js';
import { dial } from '../src/internal/dialer.js';
import type { ResolvedIdentity } from '../src/node-credentials.js';
import { type ResolvedOptions, resolveOptions } from '../src/options.js';
import { identityOf, presented } from './credentials.js';
import { SECRET } from './harness.js';

const resolved = new Map<string, ResolvedOptions>();

/** The dialer's options for `secret`, resolved once (the identity is replaced per peer). */
function resolvedFor(secret: string): ResolvedOptions {
  let options = resolved.get(secret);
  if (options === undefined) {
    options = resolveOptions({ secret, identity: identityOf('raw') });
    resolved.set(secret, options);
  }
  return options;
}

/**
 * A peer that passes the real handshake and then speaks raw frames: the test decides every
 * byte it sends. By default it acknowledges what it receives, as an honest peer would.
 */
export class RawPeer {
  readonly ws: WebSocket;
  readonly name: string;
  readonly incarnation: string;
  /** Sequence number of the next frame this peer sends. */
  seq = 1;
  received = 0;
  readonly closed: Promise<{ code: number; reason: string }>;
  isClosed = false;

  private constructor(ws: WebSocket, name: string, incarnation: string, autoAck: boolean) {
    this.ws = ws;
    this.name = name;
    this.incarnation = incarnation;
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.isClosed = true;
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('message', (data) => {
      const d = decode(data as Buffer);
      if (!d.ok || !Array.isArray(d.value)) return;
      const [type, seq] = d.value as [number, number];
      if (type === 1) return;
      this.received = seq;
      if (autoAck && ws.readyState === ws.OPEN) ws.send(encode([1, seq]));
    });
    if (ws.isPaused) ws.resume();
  }

  static async connect(
    address: string,
    options: {
      name?: string;
      incarnation?: string;
      secret?: string;
      autoAck?: boolean;
      /**
       * The credential it presents, checked or not (an impostor's may name another node); 'none'
       * presents no certificate at all. Default: its own, issued by the test cluster's key.
       */
      identity?: ResolvedIdentity | 'none';
    } = {},
  ): Promise<RawPeer> {
    const name = options.name ?? 'raw';
    const incarnation = options.incarnation ?? 'rawinc0001';
    const own = presented(name, name);
    const identity = options.identity === 'none' ? own : (options.identity ?? own);
    const resolved = resolvedFor(options.secret ?? SECRET);
    const { ws } = await dial(
      parseAddress(address),
      {
        node: name,
        incarnation,
        address: '',
        maxPayload: 1024 * 1024,
        certificate: options.identity === 'none' ? '' : identity.certificate,
      },
      { ...resolved, identity },
    );
    return new RawPeer(ws, name, incarnation, options.autoAck ?? true);
  }

  /** A well-formed batch frame around wire envelopes: next sequence number, current ack. */
  batch(envelopes: unknown[]): Buffer {
    return encode([0, this.seq++, this.received, envelopes]);
  }

  /** A BATCH with a table of destinations, which envelopes may name their `to` by index in. */
  batchWith(envelopes: unknown[], destinations: unknown): Buffer {
    return encode([0, this.seq++, this.received, envelopes, destinations]);
  }

  send(frame: Buffer | string): void {
    this.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  /** Resolves 'open' once a ws ping round trip completes, 'closed' if the node closed first. */
  async roundTrip(ms = 5000): Promise<'open' | 'closed'> {
    if (this.isClosed) return 'closed';
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no pong and no close')), ms);
      const done = (v: 'open' | 'closed') => {
        clearTimeout(timer);
        this.ws.off('pong', onPong);
        resolve(v);
      };
      const onPong = () => done('open');
      this.ws.on('pong', onPong);
      void this.closed.then(() => done('closed'));
      try {
        this.ws.ping();
      } catch {
        done('closed');
      }
    });
  }

  close(): void {
    this.ws.terminate();
  }
}
