import { createNode, defineActor, reply } from '@warden/core';
import { createWsTransport } from '@warden/transport-ws';

// Two nodes joined over WebSockets (here in one process; usually on two machines).
const secret = 'a shared secret of at least 32 bytes';
const transportA = createWsTransport({ secret });
const transportB = createWsTransport({ secret });
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
