import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import {
  type ClusterKey,
  createClusterKey,
  issueNodeCredential,
  type NodeIdentityOptions,
} from '../src/index.js';
import { signCertificate } from '../src/internal/certificate.js';
import type { ResolvedIdentity } from '../src/node-credentials.js';

/** One cluster key for the test process, as an operator would hold it. */
export const CLUSTER = createClusterKey();
const DAY = 24 * 60 * 60 * 1000;

const issued = new Map<string, NodeIdentityOptions>();

/** The identity option of node `name`, issued once per test process by `CLUSTER`. */
export function identityOf(name: string, cluster = CLUSTER): NodeIdentityOptions {
  const key = `${cluster.publicKey}\n${name}`;
  let identity = issued.get(key);
  if (identity === undefined) {
    const credential = issueNodeCredential(cluster.privateKey, name, {
      expiresAt: Date.now() + DAY,
    });
    identity = {
      clusterKey: cluster.publicKey,
      certificate: credential.certificate,
      privateKey: credential.privateKey,
    };
    issued.set(key, identity);
  }
  return identity;
}

const gossipKey = generateKeyPairSync('ed25519').publicKey;

/**
 * A certificate the cluster key really signed for `name`, all sharing one node key: what gossip
 * carries for members, issued cheaply for floods of a thousand names (no key pair each).
 */
export function certificateFor(name: string, cluster = CLUSTER): string {
  return signCertificate(clusterSigner(cluster), name, gossipKey, Date.now() + DAY);
}

const signers = new Map<string, KeyObject>();

function clusterSigner(cluster: ClusterKey): KeyObject {
  let key = signers.get(cluster.privateKey);
  if (key === undefined) {
    key = createPrivateKey(cluster.privateKey);
    signers.set(cluster.privateKey, key);
  }
  return key;
}

const parsed = new Map<string, ResolvedIdentity>();

/**
 * A credential as an impostor presents it, unchecked: `certificate` of one node, signed with the
 * private key of (maybe) another. Parsed once per combination: tests that open hundreds of
 * connections pay for the handshake, not for reading PEM.
 */
export function presented(
  certificateOf: string,
  keyOf: string,
  cluster = CLUSTER,
): ResolvedIdentity {
  const key = `${cluster.publicKey}\n${certificateOf}\n${keyOf}`;
  let identity = parsed.get(key);
  if (identity === undefined) {
    identity = {
      clusterKey: createPublicKey(cluster.publicKey),
      certificate: identityOf(certificateOf, cluster).certificate,
      node: certificateOf,
      privateKey: createPrivateKey(identityOf(keyOf, cluster).privateKey),
    };
    parsed.set(key, identity);
  }
  return identity;
}
