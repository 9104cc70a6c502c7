import { createPrivateKey, createPublicKey } from 'node:crypto';
import { createClusterKey, issueNodeCredential, type NodeIdentityOptions } from '../src/index.js';
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

/**
 * A credential as an impostor presents it, unchecked: `certificate` of one node, signed with the
 * private key of (maybe) another.
 */
export function presented(
  certificateOf: string,
  keyOf: string,
  cluster = CLUSTER,
): ResolvedIdentity {
  return {
    clusterKey: createPublicKey(cluster.publicKey),
    certificate: identityOf(certificateOf, cluster).certificate,
    node: certificateOf,
    privateKey: createPrivateKey(identityOf(keyOf, cluster).privateKey),
  };
}
