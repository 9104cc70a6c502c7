import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { invalidOption, WsTransportError } from './errors.js';
import {
  ed25519Key,
  signCertificate,
  signTranscript,
  transcriptSigned,
  verifyCertificate,
} from './internal/certificate.js';
import { NODE_NAME } from './internal/handshake.js';

/**
 * The cluster key: the operator keeps `privateKey` off the nodes (it only issues node
 * credentials); every node is given `publicKey`, the one key a peer's certificate must be signed
 * with. Both are PEM.
 */
export interface ClusterKey {
  readonly publicKey: string;
  readonly privateKey: string;
}

/**
 * What one node holds to prove its name: its certificate (public, gossiped) and its own private
 * key (never leaves the node). Both are text, so they can come from a secret store or a file.
 */
export interface NodeCredential {
  readonly node: string;
  readonly certificate: string;
  readonly privateKey: string;
}

/** The `identity` option of a transport: this node's credential and the cluster's public key. */
export interface NodeIdentityOptions {
  /** PEM public key of the cluster: peers' certificates must be signed by its private key. */
  readonly clusterKey: string;
  /** This node's certificate, from `issueNodeCredential`. */
  readonly certificate: string;
  /** PEM private key of this node, matching the key in `certificate`. */
  readonly privateKey: string;
}

/** A fresh Ed25519 cluster key pair, for development and tests; keep `privateKey` secret. */
export function createClusterKey(): ClusterKey {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/**
 * Issues a credential for `node`: a fresh Ed25519 key pair and a certificate binding the name to
 * its public key until `expiresAt` (ms since the epoch), signed with the cluster's private key.
 * Throws `ERR_INVALID_OPTION` for a bad name, key or expiry.
 */
export function issueNodeCredential(
  clusterPrivateKey: string,
  node: string,
  options: { readonly expiresAt: number },
): NodeCredential {
  if (typeof node !== 'string' || !NODE_NAME.test(node)) {
    throw new WsTransportError('ERR_INVALID_OPTION', `invalid node name: ${String(node)}`, {
      field: 'node',
    });
  }
  if (!Number.isSafeInteger(options.expiresAt) || options.expiresAt <= 0) {
    throw new WsTransportError('ERR_INVALID_OPTION', 'expiresAt must be a time in ms', {
      field: 'expiresAt',
    });
  }
  const cluster = ed25519Key(clusterPrivateKey, 'private');
  if (cluster === undefined) {
    throw new WsTransportError(
      'ERR_INVALID_OPTION',
      'the cluster key is not an Ed25519 private key',
      {
        field: 'clusterPrivateKey',
      },
    );
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    node,
    certificate: signCertificate(cluster, node, publicKey, options.expiresAt),
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The identity option, parsed and checked once. */
export interface ResolvedIdentity {
  readonly clusterKey: KeyObject;
  readonly certificate: string;
  /** The name the certificate vouches for: the node must be created with it. */
  readonly node: string;
  readonly privateKey: KeyObject;
}

/**
 * Checks the identity option: present (a node without one could be impersonated by any holder of
 * the secret), both keys Ed25519, the certificate signed by the cluster key and not expired at
 * `now`, and the private key the one the certificate names.
 */
export function resolveIdentity(identity: unknown, now: number): ResolvedIdentity {
  if (typeof identity !== 'object' || identity === null) {
    throw invalidOption(
      'identity',
      identity,
      "{ clusterKey, certificate, privateKey }: this node's credential from issueNodeCredential",
    );
  }
  const given = identity as Partial<NodeIdentityOptions>;
  const invalid = (why: string): never => {
    throw new WsTransportError('ERR_INVALID_OPTION', `identity: ${why}`, { field: 'identity' });
  };
  const pem = (text: unknown, kind: 'public' | 'private') =>
    typeof text === 'string' ? ed25519Key(text, kind) : undefined;
  const clusterKey = pem(given.clusterKey, 'public');
  if (clusterKey === undefined) return invalid('clusterKey is not an Ed25519 public key');
  const privateKey = pem(given.privateKey, 'private');
  if (privateKey === undefined) return invalid('privateKey is not an Ed25519 private key');
  const certificate = verifyCertificate(clusterKey, given.certificate, now);
  if (typeof certificate === 'string') return invalid(certificate);
  const probe = Buffer.from('warden/identity-check');
  if (!transcriptSigned(certificate.key, probe, signTranscript(privateKey, probe))) {
    return invalid('privateKey does not match the certificate');
  }
  return { clusterKey, certificate: certificate.text, node: certificate.node, privateKey };
}
