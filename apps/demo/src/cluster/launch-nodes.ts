import { randomBytes } from 'node:crypto';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '@warden/core';
import { createClusterKey, issueNodeCredential } from '@warden/transport-ws';
import type { StoreLocation } from './cluster-store.js';
import { type ClusterEvent, NODE_NAMES } from './node-messages.js';
import { NodeProcess } from './node-process.js';

/** How long the nodes' certificates are good for: far beyond any run. */
const CERTIFICATE_MS = 60 * 60 * 1000;

/**
 * Starts the three node processes, as an operator would provision a cluster: a secret of 32
 * random bytes and a cluster key made for this run; each node gets the secret, the cluster's
 * public key and a certificate and private key of its own (the cluster's private key never
 * leaves this process), the shared store's location, the run and the seed.
 */
export function launchNodes(options: {
  readonly seed: number;
  readonly runId: string;
  readonly location: StoreLocation;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly onEvent: (event: ClusterEvent) => void;
  /** Each node serves its dashboard on 127.0.0.1. */
  readonly dashboard?: boolean;
}): NodeProcess[] {
  const secret = randomBytes(32).toString('hex');
  const cluster = createClusterKey();
  const command = nodeCommand();
  return NODE_NAMES.map((name) => {
    const credential = issueNodeCredential(cluster.privateKey, name, {
      expiresAt: Date.now() + CERTIFICATE_MS,
    });
    return new NodeProcess(
      name,
      command,
      {
        ...options.env,
        WARDEN_NODE_NAME: name,
        WARDEN_SECRET: secret,
        WARDEN_CLUSTER_KEY: cluster.publicKey,
        WARDEN_NODE_CERTIFICATE: credential.certificate,
        WARDEN_NODE_KEY: credential.privateKey,
        WARDEN_STORE: JSON.stringify(options.location),
        WARDEN_RUN_ID: options.runId,
        WARDEN_SEED: String(options.seed),
        WARDEN_DASHBOARD: options.dashboard === true ? '1' : '',
      },
      options.clock,
      options.onEvent,
    );
  });
}

/**
 * How to start a node process: the entry file beside this one, with the loader flags this
 * process was started with (none for the built JavaScript; a TypeScript loader's when run from
 * source).
 */
function nodeCommand(): { execArgv: readonly string[]; entry: string } {
  const here = fileURLToPath(import.meta.url);
  return { execArgv: process.execArgv, entry: join(dirname(here), `node-main${extname(here)}`) };
}
