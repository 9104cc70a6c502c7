import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The handshake, done in HTTP before any WebSocket exists (docs/security.md):
 *
 * 1. `GET /warden/v3/challenge` -> 200 with a stateless challenge token (nonce, issue time and a
 *    tag under a per-process key: the server remembers nothing for an unauthenticated caller).
 * 2. The upgrade request carries the token, the client's own nonce, its wall time, its identity
 *    and `proof = HMAC(secret, "client" | every field)`, the client's node certificate and its
 *    Ed25519 signature over the same transcript. The server checks the token
 *    (its tag, its age), the clock skew, the proof (constant time), the certificate and the
 *    signature, and only then the replay cache and the rate limits.
 * 3. The `101` response carries `proof = HMAC(secret, "server" | every field | server identity)`,
 *    over both nonces, the server's certificate and its signature over that transcript; the client checks them before it sends a single frame.
 */
export const PROTOCOL_VERSION = '3';
export const CHALLENGE_PATH = '/warden/v3/challenge';
export const UPGRADE_PATH = '/warden/v3';

export const HEADER = {
  version: 'x-warden-version',
  challenge: 'x-warden-challenge',
  nonce: 'x-warden-nonce',
  time: 'x-warden-time',
  node: 'x-warden-node',
  incarnation: 'x-warden-incarnation',
  address: 'x-warden-address',
  maxPayload: 'x-warden-max-payload',
  target: 'x-warden-target',
  proof: 'x-warden-proof',
  certificate: 'x-warden-certificate',
  signature: 'x-warden-signature',
} as const;

const NONCE_BYTES = 16;
const TAG_BYTES = 16;
const TOKEN_BYTES = NONCE_BYTES + 8 + TAG_BYTES;
const PROOF_BYTES = 32;
const B64URL = /^[A-Za-z0-9_-]+$/;

/** Who a side says it is, as carried in the handshake headers. */
export interface Identity {
  readonly node: string;
  readonly incarnation: string;
  /** `host:port` where it listens, or '' when it does not. */
  readonly address: string;
  readonly maxPayload: number;
  /** The node certificate ('' or absent when a side sent none: it is then refused). */
  readonly certificate?: string;
}

/** Everything the client proof covers. */
export interface ClientHello extends Identity {
  readonly challenge: string;
  readonly nonce: string;
  readonly time: number;
  /** The node name the client expects to reach (from the challenge response). */
  readonly target: string;
}

export function newNonce(): string {
  return randomBytes(NONCE_BYTES).toString('base64url');
}

/** Issues and checks challenge tokens; the key lives and dies with the process. */
export class ChallengeIssuer {
  readonly #key = randomBytes(32);

  issue(now: number): string {
    const token = Buffer.alloc(TOKEN_BYTES);
    randomBytes(NONCE_BYTES).copy(token, 0);
    token.writeDoubleBE(now, NONCE_BYTES);
    this.#tag(token).copy(token, NONCE_BYTES + 8);
    return token.toString('base64url');
  }

  /** Returns the token's nonce (the replay-cache key) if the token is ours and fresh. */
  check(token: string, now: number, window: number): string | undefined {
    if (token.length !== Math.ceil((TOKEN_BYTES * 4) / 3) || !B64URL.test(token)) return undefined;
    const bytes = Buffer.from(token, 'base64url');
    if (bytes.length !== TOKEN_BYTES) return undefined;
    const tag = bytes.subarray(NONCE_BYTES + 8);
    if (!timingSafeEqual(tag, this.#tag(bytes))) return undefined;
    const issued = bytes.readDoubleBE(NONCE_BYTES);
    if (!(now - issued <= window && issued - now <= window)) return undefined;
    return bytes.subarray(0, NONCE_BYTES).toString('base64url');
  }

  #tag(token: Buffer): Buffer {
    return createHmac('sha256', this.#key)
      .update(token.subarray(0, NONCE_BYTES + 8))
      .digest()
      .subarray(0, TAG_BYTES);
  }
}

/** Length-prefixed fields, so that no two different field lists read the same. */
function transcript(label: string, fields: readonly (string | number)[]): Buffer {
  let text = `warden/${PROTOCOL_VERSION} ${label}\n`;
  for (const f of fields) {
    const s = String(f);
    text += `${Buffer.byteLength(s)}:${s}\n`;
  }
  return Buffer.from(text);
}

function mac(secret: Buffer, label: string, fields: readonly (string | number)[]): string {
  return createHmac('sha256', secret).update(transcript(label, fields)).digest('base64url');
}

function helloFields(hello: ClientHello): (string | number)[] {
  return [
    hello.challenge,
    hello.nonce,
    hello.time,
    hello.node,
    hello.incarnation,
    hello.address,
    hello.maxPayload,
    hello.target,
  ];
}

export function clientProof(secret: Buffer, hello: ClientHello): string {
  return mac(secret, 'client', helloFields(hello));
}

function serverFields(hello: ClientHello, server: Identity): (string | number)[] {
  return [
    ...helloFields(hello),
    server.node,
    server.incarnation,
    server.address,
    server.maxPayload,
  ];
}

export function serverProof(secret: Buffer, hello: ClientHello, server: Identity): string {
  return mac(secret, 'server', serverFields(hello, server));
}

/** What the client signs with its node key: both nonces, both names, its incarnation. */
export function clientTranscript(hello: ClientHello): Buffer {
  return transcript('client identity', helloFields(hello));
}

/** What the server signs with its node key: the client's transcript and its own identity. */
export function serverTranscript(hello: ClientHello, server: Identity): Buffer {
  return transcript('server identity', serverFields(hello, server));
}

/** Constant-time comparison of a received proof with the expected one. */
export function proofMatches(expected: string, received: string | undefined): boolean {
  if (received === undefined || received.length > 64 || !B64URL.test(received)) return false;
  const a = Buffer.from(expected, 'base64url');
  const b = Buffer.from(received, 'base64url');
  return a.length === PROOF_BYTES && b.length === PROOF_BYTES && timingSafeEqual(a, b);
}

export const NODE_NAME = /^[A-Za-z0-9_.@-]{1,255}$/;
export const INCARNATION = /^[A-Za-z0-9_-]{1,64}$/;
const ADDRESS = /^(?:[A-Za-z0-9._-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\]):\d{1,5}$|^$/;

type Headers = Record<string, string | string[] | undefined>;

function one(headers: Headers, name: string, max: number): string | undefined {
  const v = headers[name];
  if (typeof v !== 'string' || v.length > max) return undefined;
  return v;
}

function integerHeader(headers: Headers, name: string): number {
  const text = one(headers, name, 10);
  return text !== undefined && /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
}

/** Reads and shape-checks the client's hello from upgrade headers; undefined if malformed. */
export function readHello(headers: Headers): ClientHello | undefined {
  if (one(headers, HEADER.version, 4) !== PROTOCOL_VERSION) return undefined;
  const identity = readIdentity(headers);
  const challenge = one(headers, HEADER.challenge, 64);
  const nonce = one(headers, HEADER.nonce, 32);
  const timeText = one(headers, HEADER.time, 16);
  const time =
    timeText !== undefined && /^\d{1,16}$/.test(timeText) ? Number(timeText) : Number.NaN;
  const target = one(headers, HEADER.target, 255);
  if (
    identity === undefined ||
    challenge === undefined ||
    nonce === undefined ||
    !B64URL.test(nonce) ||
    !Number.isFinite(time) ||
    target === undefined
  ) {
    return undefined;
  }
  return { ...identity, challenge, nonce, time, target };
}

/**
 * Reads and shape-checks a node's identity: the client's from its hello, the server's from the
 * `101` response headers, by the same rules.
 */
export function readIdentity(headers: Headers): Identity | undefined {
  const node = one(headers, HEADER.node, 255);
  const incarnation = one(headers, HEADER.incarnation, 64);
  const address = one(headers, HEADER.address, 300);
  const maxPayload = integerHeader(headers, HEADER.maxPayload);
  if (
    node === undefined ||
    !NODE_NAME.test(node) ||
    incarnation === undefined ||
    !INCARNATION.test(incarnation) ||
    address === undefined ||
    !ADDRESS.test(address) ||
    !Number.isInteger(maxPayload) ||
    maxPayload < 1024
  ) {
    return undefined;
  }
  const certificate = one(headers, HEADER.certificate, 600) ?? '';
  return { node, incarnation, address, maxPayload, certificate };
}

/** The request headers of a client hello; certificate and `signature` when it has both. */
export function helloHeaders(
  hello: ClientHello,
  proof: string,
  signature?: string,
): Record<string, string> {
  const identity: Record<string, string> =
    signature === undefined || hello.certificate === undefined || hello.certificate === ''
      ? {}
      : { [HEADER.certificate]: hello.certificate, [HEADER.signature]: signature };
  return {
    ...identity,
    [HEADER.version]: PROTOCOL_VERSION,
    [HEADER.challenge]: hello.challenge,
    [HEADER.nonce]: hello.nonce,
    [HEADER.time]: String(hello.time),
    [HEADER.node]: hello.node,
    [HEADER.incarnation]: hello.incarnation,
    [HEADER.address]: hello.address,
    [HEADER.maxPayload]: String(hello.maxPayload),
    [HEADER.target]: hello.target,
    [HEADER.proof]: proof,
  };
}
