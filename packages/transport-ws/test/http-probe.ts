import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { parseAddress } from '../src/address.js';
import { signTranscript } from '../src/internal/certificate.js';
import { fetchChallenge } from '../src/internal/dialer.js';
import {
  type ClientHello,
  clientProof,
  clientTranscript,
  helloHeaders,
  UPGRADE_PATH,
} from '../src/internal/handshake.js';
import type { ResolvedIdentity } from '../src/node-credentials.js';
import { resolveOptions } from '../src/options.js';
import { identityOf, presented } from './credentials.js';
import { SECRET } from './harness.js';

/** Sends one raw upgrade request; resolves with the status (101 on success) and headers. */
export function rawUpgrade(
  address: string,
  headers: Record<string, string>,
  path = UPGRADE_PATH,
): Promise<{ status: number; headers: Record<string, unknown> }> {
  const { host, port } = parseAddress(address);
  return new Promise((resolve, reject) => {
    const req = request({
      host,
      port,
      path,
      agent: false,
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
        ...headers,
      },
    });
    req.setTimeout(5000, () => req.destroy(new Error('no answer')));
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: 101, headers: res.headers });
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * A correct hello for the node at `address`, signed with `secret` and with `identity`'s key,
 * carrying its certificate (default: the credential of the hello's node from the test cluster),
 * with its headers.
 */
export async function signedHello(
  address: string,
  overrides: Partial<ClientHello> = {},
  secret = SECRET,
  identity?: ResolvedIdentity,
): Promise<{ hello: ClientHello; headers: Record<string, string> }> {
  const node = overrides.node ?? 'prober';
  const signer = identity ?? presented(node, node);
  const options = resolveOptions({ secret, identity: identityOf('prober') });
  const challenge = await fetchChallenge(parseAddress(address), options);
  const hello: ClientHello = {
    node: 'prober',
    incarnation: 'prober0001',
    address: '',
    maxPayload: 1024 * 1024,
    challenge: challenge.token,
    nonce: randomBytes(16).toString('base64url'),
    time: Date.now(),
    target: challenge.node,
    certificate: signer.certificate,
    ...overrides,
  };
  const signature = signTranscript(signer.privateKey, clientTranscript(hello));
  return { hello, headers: helloHeaders(hello, clientProof(options.secret, hello), signature) };
}
