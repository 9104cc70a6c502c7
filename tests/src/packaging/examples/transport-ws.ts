import { createNode, defineActor, reply } from '@warden/core';
import { createClusterKey, createWsTransport, issueNodeCredential } from '@warden/transport-ws';

// Two nodes joined over WebSockets (here in one process; usually on two machines).
const secret = 'a shared secret of at least 32 bytes';
// The operator's cluster key issues each node a credential: a node proves its name with it.
const cluster = createClusterKey();
function identity(name: string) {
  const expiresAt = Date.now() + 24 * 60 * 60 * 1000;
  const { certificate, privateKey } = issueNodeCredential(cluster.privateKey, name, { expiresAt });
  return { clusterKey: cluster.publicKey, certificate, privateKey };
}
const transportA = createWsTransport({ secret, identity: identity('a') });
const transportB = createWsTransport({ secret, identity: identity('b') });
const a = createNode({ name: 'a', transport: transportA });
const b = createNode({ name: 'b', transport: transportB });
const echo = b.spawn(
  defineActor<null>({ init: () => null, handleCall: (request, _from, s) => reply(request, s) }),
);
const { host, port } = await transportB.listen({ host: '127.0.0.1', port: 0 });
await transportA.connect(`${host}:${port}`);
console.log(await a.call(echo, 'hello from a')); // hello from a
await a.stop();
await b.stop();
await transportA.close();
await transportB.close();
