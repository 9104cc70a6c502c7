import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as signBytes,
  verify as verifyBytes,
} from 'node:crypto';
import { NODE_NAME } from './handshake.js';

/**
 * A node certificate binds a node name to the Ed25519 public key only that node holds, until an
 * expiry, under the signature of the cluster key the operator controls (docs/security.md):
 *
 *     wnc1.<name, base64url>.<raw public key, base64url>.<expiry, ms since the epoch>.<signature>
 *
 * The text is small (about 200 bytes), travels in a header of the handshake and in membership
 * gossip, and is public: it proves nothing without a signature by its key over a fresh transcript.
 */
const PREFIX = 'wnc1';
const SIGNED_LABEL = 'warden/node-certificate/1\n';
const RAW_KEY_BYTES = 32;
const SIGNATURE_BYTES = 64;
/** The DER prefix of an Ed25519 SubjectPublicKeyInfo: the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
export const MAX_CERTIFICATE_LENGTH = 600;
const B64URL = /^[A-Za-z0-9_-]+$/;

export interface NodeCertificate {
  readonly node: string;
  readonly key: KeyObject;
  readonly expiresAt: number;
  /** The certificate's text, as sent. */
  readonly text: string;
}

function signedPart(node: string, rawKey: Buffer, expiresAt: number): Buffer {
  return Buffer.from(
    `${SIGNED_LABEL}${Buffer.byteLength(node)}:${node}\n${rawKey.toString('base64url')}\n${expiresAt}\n`,
  );
}

export function rawPublicKey(key: KeyObject): Buffer {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - RAW_KEY_BYTES);
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({
    key: Buffer.concat([ED25519_SPKI_PREFIX, raw]),
    format: 'der',
    type: 'spki',
  });
}

/** Reads an Ed25519 key in PEM; undefined if it is not one. */
export function ed25519Key(
  pem: string | Buffer,
  kind: 'public' | 'private',
): KeyObject | undefined {
  try {
    const key = kind === 'public' ? createPublicKey(pem) : createPrivateKey(pem);
    return key.asymmetricKeyType === 'ed25519' ? key : undefined;
  } catch {
    return undefined;
  }
}

/** Signs a certificate for `node` and its public key with the cluster's private key. */
export function signCertificate(
  clusterPrivate: KeyObject,
  node: string,
  nodePublic: KeyObject,
  expiresAt: number,
): string {
  const raw = rawPublicKey(nodePublic);
  const signature = signBytes(null, signedPart(node, raw, expiresAt), clusterPrivate);
  return [
    PREFIX,
    Buffer.from(node).toString('base64url'),
    raw.toString('base64url'),
    String(expiresAt),
    signature.toString('base64url'),
  ].join('.');
}

/**
 * Checks a certificate's shape, its signature by the cluster key and its expiry at `now` (wall
 * time); returns it, or why it is refused.
 */
export function verifyCertificate(
  clusterKey: KeyObject,
  text: unknown,
  now: number,
): NodeCertificate | string {
  if (typeof text !== 'string' || text.length > MAX_CERTIFICATE_LENGTH) return 'bad certificate';
  const parts = text.split('.');
  if (parts.length !== 5 || parts[0] !== PREFIX) return 'bad certificate';
  const [, nameText, keyText, expiryText, signatureText] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!B64URL.test(nameText) || !B64URL.test(keyText) || !B64URL.test(signatureText)) {
    return 'bad certificate';
  }
  if (!/^\d{1,16}$/.test(expiryText)) return 'bad certificate';
  const node = Buffer.from(nameText, 'base64url').toString('utf8');
  const raw = Buffer.from(keyText, 'base64url');
  const signature = Buffer.from(signatureText, 'base64url');
  const expiresAt = Number(expiryText);
  if (!NODE_NAME.test(node) || raw.length !== RAW_KEY_BYTES || signature.length !== SIGNATURE_BYTES)
    return 'bad certificate';
  if (!verifyBytes(null, signedPart(node, raw, expiresAt), clusterKey, signature)) {
    return 'certificate not signed by the cluster key';
  }
  if (!(now < expiresAt)) return 'certificate expired';
  return { node, key: publicKeyFromRaw(raw), expiresAt, text };
}

/** An Ed25519 signature over a handshake transcript, base64url. */
export function signTranscript(key: KeyObject, transcript: Buffer): string {
  return signBytes(null, transcript, key).toString('base64url');
}

export function transcriptSigned(key: KeyObject, transcript: Buffer, signature: unknown): boolean {
  if (typeof signature !== 'string' || signature.length !== 86 || !B64URL.test(signature)) {
    return false;
  }
  const bytes = Buffer.from(signature, 'base64url');
  return bytes.length === SIGNATURE_BYTES && verifyBytes(null, transcript, key, bytes);
}
