// One warden node in a child process, for the multi-process tests (ws-processes.test.ts). Run as
// `node --import tsx --conditions=source ws-node-process.ts` with WARDEN_* variables set. It
// listens on 127.0.0.1 (port 0), reports its address over IPC and obeys a few IPC commands.
import {
  type ActorContext,
  createNode,
  isDown,
  isExit,
  isPid,
  Pid,
  startSupervisor,
} from '@warden/core';
import { createWsTransport } from '@warden/transport-ws';
import { server, spawner } from './remote-actors.js';

type PidData = { node: string; incarnation: string; id: number };
type Command =
  | { id: number; cmd: 'connect'; address: string }
  | { id: number; cmd: 'nodes' }
  | { id: number; cmd: 'spawn'; what: 'server' | 'spawner' }
  | { id: number; cmd: 'watch'; target: PidData; report: PidData }
  | { id: number; cmd: 'supervise'; helpers: PidData[] }
  | { id: number; cmd: 'tick'; to: PidData; every: number };

const env = process.env;
const name = env.WARDEN_NODE_NAME ?? 'child';
/** This node's credential, from the map of credentials the test issued by node name. */
const credential = (
  JSON.parse(env.WARDEN_CREDENTIALS ?? '{}') as Record<
    string,
    { certificate: string; privateKey: string } | undefined
  >
)[name];
if (credential === undefined) throw new Error(`WARDEN_CREDENTIALS has no credential for ${name}`);
const transport = createWsTransport({
  secret: env.WARDEN_SECRET ?? '',
  identity: { clusterKey: env.WARDEN_CLUSTER_KEY ?? '', ...credential },
  heartbeatInterval: Number(env.WARDEN_HEARTBEAT_INTERVAL ?? 200),
  heartbeatTimeout: Number(env.WARDEN_HEARTBEAT_TIMEOUT ?? 1000),
  reconnect: { initial: 50, max: 500 },
});
const node = createNode({ name, transport });

/** Node-down events seen by this node: what it has learnt of lost connections. */
let downsSeen = 0;
node.inspect((event) => {
  if (event.type === 'node.down') downsSeen++;
  if (event.type === 'node.down' || event.type === 'node.up') {
    process.send?.({ type: 'event', event: event.type, node: event.node, downsSeen });
  } else if (event.type === 'supervisor.child_started') {
    const { id, pid } = event;
    process.send?.({ type: 'event', event: event.type, node: name, id, pid: pid.toJSON() });
  }
});

const ticker = async (ctx: ActorContext, args: { to: Pid; every: number }) => {
  for (let seq = 0; seq < 1_000_000; seq++) {
    ctx.send(args.to, { from: name, seq, downsSeen });
    await ctx.receive(() => false, { timeout: args.every }).catch(() => undefined);
  }
};

const watcher = async (ctx: ActorContext, args: { target: Pid; report: Pid }) => {
  ctx.trapExit(true);
  ctx.link(args.target);
  ctx.monitor(args.target);
  for (let i = 0; i < 10; i++) {
    const m = await ctx.receive();
    const kind = isExit(m) ? 'exit' : isDown(m) ? 'down' : 'other';
    const reason = isExit(m) || isDown(m) ? m.reason : undefined;
    ctx.send(args.report, { from: name, kind, reason });
  }
};

/** Starts its child through the first helper whose node is connected. */
async function supervise(helpers: Pid[]): Promise<Pid> {
  const sup = await startSupervisor(node, {
    strategy: 'one_for_one',
    intensity: 5,
    period: 5000,
    children: [
      {
        id: 'remote',
        shutdown: 1000,
        start: async (ctx: ActorContext) => {
          for (const helper of helpers) {
            if (!ctx.node.nodes().includes(helper.node)) continue;
            try {
              return await ctx.call<Pid>(helper, 'spawn', { timeout: 2000 });
            } catch {
              // try the next helper
            }
          }
          throw new Error('no helper node is reachable');
        },
      },
    ],
  });
  if (!isPid(sup)) throw new Error('supervisor did not start');
  return sup;
}

async function run(c: Command): Promise<unknown> {
  switch (c.cmd) {
    case 'connect':
      return transport.connect(c.address);
    case 'nodes':
      return node.nodes().sort();
    case 'spawn':
      return node.spawn(c.what === 'server' ? server : spawner).toJSON();
    case 'watch':
      return node
        .spawn(watcher, { args: { target: Pid.from(c.target), report: Pid.from(c.report) } })
        .toJSON();
    case 'supervise':
      return (await supervise(c.helpers.map((h) => Pid.from(h)))).toJSON();
    case 'tick':
      return node.spawn(ticker, { args: { to: Pid.from(c.to), every: c.every } }).toJSON();
  }
}

process.on('message', (raw) => {
  const c = raw as Command;
  run(c).then(
    (value) => process.send?.({ id: c.id, ok: true, value }),
    (error: unknown) => process.send?.({ id: c.id, ok: false, error: String(error) }),
  );
});
process.on('disconnect', () => {
  void node
    .stop()
    .then(() => transport.close())
    .finally(() => process.exit(0));
});

const bound = await transport.listen({ host: '127.0.0.1', port: 0 });
process.send?.({
  type: 'listening',
  address: `${bound.host}:${bound.port}`,
  incarnation: node.incarnation,
});
