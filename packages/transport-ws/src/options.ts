import { backoffOptions } from '@warden/core';
import { RECONNECT_FIELDS, reconnectBackoff } from './backoff.js';
import { invalidOption, WsTransportError } from './errors.js';
import { checks } from './internal/option-checks.js';
import {
  type NodeIdentityOptions,
  type ResolvedIdentity,
  resolveIdentity,
} from './node-credentials.js';

/** TLS for the listener (`wss`) and for outgoing connections. */
export interface TlsOptions {
  /** PEM certificate chain this node presents. */
  readonly cert: string | Buffer;
  /** PEM private key of `cert`. */
  readonly key: string | Buffer;
  /** PEM CA certificate(s) that peers' certificates must chain to. Default: Node's CA store. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Name checked against the peer's certificate. Default: the host dialed. */
  readonly servername?: string;
}

/** Capped exponential backoff with jitter, in milliseconds on the node's clock. */
export interface ReconnectOptions {
  readonly initial: number;
  readonly max: number;
  readonly factor: number;
  /** Each delay is shortened by up to this share, at random, in [0, 1): 0.2 means up to 20%. */
  readonly jitter: number;
}

/** A token bucket: `burst` at once, then `perSecond` (wall time). */
export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

export interface WsTransportOptions {
  /** Shared cluster secret, at least 32 bytes. Required: there is no default. */
  readonly secret: string | Uint8Array;
  /**
   * This node's credential and the cluster's public key (docs/security.md). Required: a peer
   * must prove its name with a certificate signed by the cluster key and the private key it
   * names, and membership gossip names only certified peers. The secret alone never vouches for
   * a name, since any holder of it could then claim any name.
   */
  readonly identity: NodeIdentityOptions;
  /**
   * Handshakes accepted per authenticated identity, and failed handshakes per source address,
   * before the node answers 429 to them (one member cannot lock out another).
   */
  readonly handshakeLimits?: {
    readonly perIdentity?: Partial<RateLimit>;
    readonly perAddress?: Partial<RateLimit>;
  };
  /** Sockets that have not completed a handshake, at most; more are closed at once. */
  readonly maxPendingHandshakes?: number;
  /** Peers this node remembers (connected or learnt from gossip); more gossip is ignored. */
  readonly maxPeers?: number;
  /** Dials in flight from membership gossip and redials, at most; the rest wait their turn. */
  readonly maxConcurrentDials?: number;
  /** Failed redials in a row after which a peer is no longer dialed until it is named again. */
  readonly redialAttempts?: number;
  readonly tls?: TlsOptions;
  /** Largest frame accepted, in bytes (ws `maxPayload`); bigger frames close with 1009. */
  readonly maxPayload?: number;
  /** How often each connection sends a heartbeat, ms on the node's clock. */
  readonly heartbeatInterval?: number;
  /** Silence after which a peer is declared down, ms on the node's clock. */
  readonly heartbeatTimeout?: number;
  readonly reconnect?: Partial<ReconnectOptions>;
  /**
   * A batch is flushed at once when it reaches this many bytes (else at the end of the tick; the
   * first call or reply of a tick is flushed at once, with what is pending before it).
   */
  readonly batchBytes?: number;
  /** Sends and casts to a peer are refused (dead-lettered) while its socket buffers this much. */
  readonly highWaterMark?: number;
  /** A peer whose socket buffers this much is not draining: the connection is dropped. */
  readonly hardLimit?: number;
  /** Accepted clock skew and challenge age for handshakes, ms of wall time. */
  readonly handshakeWindow?: number;
  /** Bound on remembered handshake challenges (replay cache). */
  readonly replayCacheSize?: number;
  /** Real-time bound on one HTTP exchange of a handshake, ms. */
  readonly handshakeTimeout?: number;
  /** Wall clock for handshake timestamps. Default `Date.now`. */
  readonly wallClock?: () => number;
  /** Source of randomness in [0, 1) for backoff jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Observes handshakes, closes and rejected frames. Must not throw (errors are swallowed). */
  readonly onEvent?: (event: WsTransportEvent) => void;
}

/** What the transport reports to `onEvent`: the security-relevant and lifecycle facts. */
export type WsTransportEvent =
  | { type: 'handshake.rejected'; status: number; reason: string }
  | { type: 'connection.up'; node: string; incarnation: string; initiator: boolean }
  | { type: 'connection.down'; node: string; code: number; reason: string }
  | { type: 'frame.rejected'; node: string; code: number; reason: string }
  | { type: 'dial.failed'; address: string; reason: string }
  | { type: 'members.ignored'; from: string; count: number; reason: string };

export interface ResolvedOptions {
  readonly secret: Buffer;
  readonly identity: ResolvedIdentity;
  readonly perIdentity: RateLimit;
  readonly perAddress: RateLimit;
  readonly maxPendingHandshakes: number;
  readonly maxPeers: number;
  readonly maxConcurrentDials: number;
  readonly redialAttempts: number;
  readonly tls: TlsOptions | undefined;
  readonly maxPayload: number;
  readonly heartbeatInterval: number;
  readonly heartbeatTimeout: number;
  readonly reconnect: ReconnectOptions;
  readonly batchBytes: number;
  readonly highWaterMark: number;
  readonly hardLimit: number;
  readonly handshakeWindow: number;
  readonly replayCacheSize: number;
  readonly handshakeTimeout: number;
  readonly wallClock: () => number;
  readonly random: () => number;
  readonly onEvent: (event: WsTransportEvent) => void;
}

/** The defaults, declared once. */
export const DEFAULTS = {
  maxPayload: 1024 * 1024,
  heartbeatInterval: 1000,
  heartbeatTimeout: 5000,
  reconnect: { initial: 100, max: 10_000, factor: 2, jitter: 0.2 },
  batchBytes: 16 * 1024,
  highWaterMark: 1024 * 1024,
  hardLimit: 16 * 1024 * 1024,
  handshakeWindow: 30_000,
  replayCacheSize: 10_000,
  handshakeTimeout: 5000,
  perIdentity: { burst: 20, perSecond: 2 },
  perAddress: { burst: 64, perSecond: 8 },
  maxPendingHandshakes: 128,
  maxPeers: 256,
  maxConcurrentDials: 8,
  redialAttempts: 30,
} as const;

export const MIN_SECRET_BYTES = 32;

/** A number > 0 (an integer >= 1 when `integer`), or the default; the shared checks name it. */
function positive(field: string, value: unknown, fallback: number, integer = true): number {
  if (value === undefined) return fallback;
  return integer ? checks.int(field, value, 1) : checks.number(field, value, 0, true);
}

/** The reconnect backoff, validated once by the shared `backoffOptions`. */
function reconnectOptions(input: unknown): ReconnectOptions {
  const d = DEFAULTS.reconnect;
  const r = input === undefined ? {} : checks.record<Partial<ReconnectOptions>>('reconnect', input);
  const initial = positive('reconnect.initial', r.initial, d.initial, false);
  const jitter = r.jitter ?? d.jitter;
  if (typeof jitter !== 'number' || !(jitter >= 0 && jitter < 1)) {
    throw invalidOption('reconnect.jitter', jitter, 'a number in [0, 1)');
  }
  const backoff = backoffOptions(
    { initialMs: initial, maxMs: r.max ?? Math.max(d.max, initial), factor: r.factor, jitter },
    checks,
    reconnectBackoff(d),
    RECONNECT_FIELDS,
  );
  return { initial, max: backoff.maxMs, factor: backoff.factor, jitter };
}

function secretBytes(secret: unknown): Buffer {
  if (secret === undefined || secret === null || secret === '') {
    throw new WsTransportError(
      'ERR_NO_SECRET',
      'a cluster secret is required: there is no default secret',
    );
  }
  let bytes: Buffer;
  if (typeof secret === 'string') bytes = Buffer.from(secret, 'utf8');
  else if (secret instanceof Uint8Array) bytes = Buffer.from(secret);
  else throw new WsTransportError('ERR_NO_SECRET', 'the secret must be a string or bytes');
  if (bytes.length < MIN_SECRET_BYTES) {
    throw new WsTransportError(
      'ERR_WEAK_SECRET',
      `the secret must be at least ${MIN_SECRET_BYTES} bytes`,
    );
  }
  return bytes;
}

/** Validates options (throwing an error naming the field) and fills in the defaults. */
export function resolveOptions(options: WsTransportOptions): ResolvedOptions {
  const secret = secretBytes((options as Partial<WsTransportOptions> | undefined)?.secret);
  const wallClock = options.wallClock ?? Date.now;
  const identity = resolveIdentity(options.identity, wallClock());
  const reconnect = reconnectOptions(options.reconnect);
  const heartbeatInterval = positive(
    'heartbeatInterval',
    options.heartbeatInterval,
    DEFAULTS.heartbeatInterval,
    false,
  );
  const heartbeatTimeout = positive(
    'heartbeatTimeout',
    options.heartbeatTimeout,
    Math.max(DEFAULTS.heartbeatTimeout, heartbeatInterval * 3),
    false,
  );
  if (heartbeatTimeout <= heartbeatInterval) {
    throw new WsTransportError(
      'ERR_INVALID_OPTION',
      'heartbeatTimeout must exceed heartbeatInterval',
      { field: 'heartbeatTimeout' },
    );
  }
  const maxPayload = positive('maxPayload', options.maxPayload, DEFAULTS.maxPayload);
  const limits = options.handshakeLimits ?? {};
  const rate = (field: string, r: Partial<RateLimit> | undefined, d: RateLimit): RateLimit => ({
    burst: positive(`${field}.burst`, r?.burst, d.burst),
    perSecond: positive(`${field}.perSecond`, r?.perSecond, d.perSecond, false),
  });
  const highWaterMark = positive('highWaterMark', options.highWaterMark, DEFAULTS.highWaterMark);
  return {
    secret,
    identity,
    perIdentity: rate('handshakeLimits.perIdentity', limits.perIdentity, DEFAULTS.perIdentity),
    perAddress: rate('handshakeLimits.perAddress', limits.perAddress, DEFAULTS.perAddress),
    maxPendingHandshakes: positive(
      'maxPendingHandshakes',
      options.maxPendingHandshakes,
      DEFAULTS.maxPendingHandshakes,
    ),
    maxPeers: positive('maxPeers', options.maxPeers, DEFAULTS.maxPeers),
    maxConcurrentDials: positive(
      'maxConcurrentDials',
      options.maxConcurrentDials,
      DEFAULTS.maxConcurrentDials,
    ),
    redialAttempts: positive('redialAttempts', options.redialAttempts, DEFAULTS.redialAttempts),
    tls: options.tls,
    maxPayload,
    heartbeatInterval,
    heartbeatTimeout,
    reconnect,
    batchBytes: Math.min(
      positive('batchBytes', options.batchBytes, DEFAULTS.batchBytes),
      maxPayload,
    ),
    highWaterMark,
    hardLimit: Math.max(
      positive('hardLimit', options.hardLimit, DEFAULTS.hardLimit),
      highWaterMark,
    ),
    handshakeWindow: positive('handshakeWindow', options.handshakeWindow, DEFAULTS.handshakeWindow),
    replayCacheSize: positive('replayCacheSize', options.replayCacheSize, DEFAULTS.replayCacheSize),
    handshakeTimeout: positive(
      'handshakeTimeout',
      options.handshakeTimeout,
      DEFAULTS.handshakeTimeout,
    ),
    wallClock,
    random: options.random ?? Math.random,
    onEvent: options.onEvent ?? (() => {}),
  };
}
