// Three warden nodes in three child processes (ws-node-process.ts) plus the test's own node
// `ctl`, joined by @warden/transport-ws on 127.0.0.1: what survives a SIGKILL and a SIGSTOP
// (docs/semantics.md items 44, 49, 51, 55, 56). Real processes on real time: every wait ends on
// the event it waits for (a node up or down, a message, a child started), bounded by a generous
// timeout that fails the test; nothing asserts how long detection took (apps/bench's detection
// workload reports that). Every child is killed after each test.
import {
  type ChildInfo,
  createNode,
  isWardenError,
  type Node,
  type NodeEvent,
  type Pid,
  whichChildren,
} from '@warden/core';
import { TestProbe } from '@warden/core/testing';
import {
  createClusterKey,
  createWsTransport,
  issueNodeCredential,
  type NodeCredential,
  type WsTransport,
} from '@warden/transport-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { connectedPeers, EventLog } from './event-log.js';
import { type ChildEvent, type ChildNode, startChildren } from './ws-children.js';

const SECRET = 'multi-process-secret-0123456789abcdef';
const HEARTBEAT = { interval: 200, timeout: 1000 };
/** A guard against a hang on a loaded machine, far above any detection time: never a measurement. */
const GUARD = 20_000;

/** What the test's own node saw: peers coming and going, and the messages its sink received. */
type Seen = { event: string; node: string } | { seq: number; downs: number };

interface Cluster {
  readonly ctl: Node;
  /** ctl's node.up and node.down events, in order (the SIGSTOP test adds its sink's messages). */
  readonly seen: EventLog<Seen>;
  readonly transport: WsTransport;
  readonly children: ChildNode[];
}

let open: Cluster[] = [];
afterEach(async () => {
  const closing = open;
  open = [];
  for (const c of closing) {
    await Promise.all(c.children.map((child) => child.kill()));
    await c.ctl.stop();
    await c.transport.close();
  }
}, 30_000);

/** Three child nodes n1..n3 and `ctl` here; ctl dials each child and gossip meshes the children. */
async function cluster(): Promise<Cluster> {
  // Every node proves its name with its own credential; the cluster's private key stays here.
  const clusterKey = createClusterKey();
  const issue = (name: string): NodeCredential =>
    issueNodeCredential(clusterKey.privateKey, name, { expiresAt: Date.now() + 60 * 60 * 1000 });
  const credentials = Object.fromEntries(
    ['n1', 'n2', 'n3'].map((name) => {
      const { certificate, privateKey } = issue(name);
      return [name, { certificate, privateKey }];
    }),
  );
  const children = await startChildren(['n1', 'n2', 'n3'], {
    WARDEN_SECRET: SECRET,
    WARDEN_CLUSTER_KEY: clusterKey.publicKey,
    WARDEN_CREDENTIALS: JSON.stringify(credentials),
    WARDEN_HEARTBEAT_INTERVAL: String(HEARTBEAT.interval),
    WARDEN_HEARTBEAT_TIMEOUT: String(HEARTBEAT.timeout),
  });
  const mine = issue('ctl');
  const transport = createWsTransport({
    secret: SECRET,
    identity: {
      clusterKey: clusterKey.publicKey,
      certificate: mine.certificate,
      privateKey: mine.privateKey,
    },
    heartbeatInterval: HEARTBEAT.interval,
    heartbeatTimeout: HEARTBEAT.timeout,
    reconnect: { initial: 50, max: 500 },
  });
  const ctl = createNode({ name: 'ctl', transport });
  const seen = new EventLog<Seen>();
  ctl.inspect((e: NodeEvent) => {
    if (e.type === 'node.up' || e.type === 'node.down') seen.push({ event: e.type, node: e.node });
  });
  const c = { ctl, seen, transport, children };
  open.push(c);
  await transport.listen({ host: '127.0.0.1', port: 0 });
  for (const child of children) await transport.connect(child.address);
  await seen.until((es) => connectedPeers(events(es)).size === 3, 'ctl to see n1..n3', GUARD);
  for (const child of children) {
    await child.events.until(
      (es) => connectedPeers(nodeEvents(es)).size === 3,
      `${child.name} meshed`,
      GUARD,
    );
  }
  return c;
}

const events = (es: readonly Seen[]) =>
  es.filter((x): x is { event: string; node: string } => 'event' in x);
const nodeEvents = (es: readonly ChildEvent[]) =>
  es.filter((e) => e.event === 'node.up' || e.event === 'node.down');

const child = (c: Cluster, name: string): ChildNode =>
  c.children.find((x) => x.name === name) as ChildNode;

describe('a node process killed with SIGKILL (items 44, 49, 51, 56)', () => {
  it('fires links and monitors with noconnection, fails calls with ERR_NODEDOWN and restarts the supervised child elsewhere', async () => {
    const c = await cluster();
    const [n1, n2, n3] = [child(c, 'n1'), child(c, 'n2'), child(c, 'n3')];
    const victim = await n3.pid({ cmd: 'spawn', what: 'server' });
    const helpers = [
      await n3.pid({ cmd: 'spawn', what: 'spawner' }),
      await n2.pid({ cmd: 'spawn', what: 'spawner' }),
    ];
    const sup = await n1.pid({ cmd: 'supervise', helpers });
    const [first] = await whichChildren(c.ctl, sup);
    expect((first as ChildInfo).pid).toMatchObject({ node: 'n3' });

    const probe = new TestProbe(c.ctl);
    probe.link(victim);
    const ref = probe.monitor(victim);
    const watcher = await n2.pid({
      cmd: 'watch',
      target: victim.toJSON(),
      report: probe.pid.toJSON(),
    });
    const call = c.ctl.call(victim, { hang: true }, { timeout: 30_000 }).catch((e: unknown) => e);
    // A call after the link and the monitor: FIFO per pair means n3 has recorded both.
    expect(await c.ctl.call(victim, { echo: 'ready' })).toBe('ready');

    n3.proc.kill('SIGKILL');

    await probe.expectDown(ref, 'noconnection', { within: GUARD });
    await probe.expectExit(victim, 'noconnection', { within: GUARD });
    const error = await call;
    expect(isWardenError(error, 'ERR_NODEDOWN')).toBe(true);
    expect(events(c.seen.entries).filter((e) => e.node === 'n3')).toEqual([
      { event: 'node.up', node: 'n3' },
      { event: 'node.down', node: 'n3' },
    ]);

    // The watcher on n2 saw its link and its monitor fire with noconnection.
    const fromWatcher = (kind: string) => (m: unknown) =>
      (m as { from?: string; kind?: string }).from === 'n2' &&
      (m as { kind?: string }).kind === kind;
    expect(await probe.expectMessage(fromWatcher('exit'), { within: GUARD })).toMatchObject({
      reason: 'noconnection',
    });
    expect(await probe.expectMessage(fromWatcher('down'), { within: GUARD })).toMatchObject({
      reason: 'noconnection',
    });
    // Each once: the watcher reports a fence after them, and its reports arrive in order (FIFO
    // per pair), so a second exit or down would be queued before the fence.
    c.ctl.send(watcher, 'fence');
    await probe.expectMessage(fromWatcher('other'), { within: GUARD });
    expect(probe.messages.filter((m) => (m as { kind?: string }).kind !== undefined)).toEqual([]);

    // The supervisor on n1 lost its child on n3 and started a new one through n2's helper.
    await n1.events.until(
      (es) => es.some((e) => e.event === 'supervisor.child_started' && e.pid.node === 'n2'),
      'the supervisor to restart its child on n2',
      GUARD,
    );
    const [info] = await whichChildren(c.ctl, sup);
    const restarted = (info as ChildInfo).pid as Pid;
    expect(restarted).toMatchObject({ node: 'n2' });
    expect(await c.ctl.call(restarted, { echo: 'alive' })).toBe('alive');
    expect(c.ctl.nodes().sort()).toEqual(['n1', 'n2']);
  }, 60_000);
});

describe('a node process paused with SIGSTOP (items 55, 56)', () => {
  it('is declared down by the heartbeat, its sockets still open, and, resumed, learns it before its stale work is delivered', async () => {
    const c = await cluster();
    const [n1, n3] = [child(c, 'n1'), child(c, 'n3')];
    const log = c.seen;
    const sink = c.ctl.spawn(
      async (ctx) => {
        for (let i = 0; i < 100_000; i++) {
          const m = (await ctx.receive()) as { seq: number; downs: number; downsSeen?: number };
          log.push({ seq: m.seq, downs: m.downsSeen ?? -1 });
        }
      },
      { mailbox: { capacity: Number.POSITIVE_INFINITY } },
    );
    const ticks = (es: readonly Seen[]) => es.filter((x) => 'seq' in x).length;
    await n3.command({ cmd: 'tick', to: sink.toJSON(), every: 20 });
    await log.until((es) => ticks(es) >= 5, 'ticks from n3', GUARD);

    // A stopped process keeps its sockets open: only the heartbeat timeout can tell.
    n3.proc.kill('SIGSTOP');
    const isDown = (x: Seen) => 'event' in x && x.event === 'node.down' && x.node === 'n3';
    await log.until((es) => es.some(isDown), 'ctl to declare n3 down', GUARD);
    await n1.events.until(
      (es) => es.some((e) => e.event === 'node.down' && e.node === 'n3'),
      'n1 to declare n3 down',
      GUARD,
    );
    const downAt = log.entries.findIndex(isDown);
    expect(log.entries.slice(0, downAt).filter((x) => 'seq' in x).length).toBeGreaterThanOrEqual(5);

    n3.proc.kill('SIGCONT');
    const isUp = (x: Seen, i: number) =>
      i > downAt && 'event' in x && x.event === 'node.up' && x.node === 'n3';
    await log.until((es) => es.some(isUp), 'n3 to reconnect', GUARD);
    const upAt = log.entries.findIndex(isUp);
    await log.until((es) => ticks(es.slice(upAt + 1)) >= 5, 'ticks after the reconnection', GUARD);

    // Nothing from n3 arrives between its down and its up, and everything after the up was sent
    // by a process whose node had already seen node.down (it learnt it was cut off first).
    expect(log.entries.slice(downAt + 1, upAt).filter((x) => 'seq' in x)).toEqual([]);
    const after = log.entries
      .slice(upAt + 1)
      .filter((x): x is { seq: number; downs: number } => 'seq' in x);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((x) => x.downs >= 1)).toBe(true);
    await n3.events.until(
      (es) => es.filter((e) => e.event === 'node.down').length >= 3,
      'n3 to learn it was cut off from all three',
      GUARD,
    );
    const n3Downs = n3.events.entries
      .filter((e) => e.event === 'node.down')
      .map((e) => e.node)
      .sort();
    expect(n3Downs).toEqual(['ctl', 'n1', 'n2']);
    expect(events(log.entries).filter((e) => e.node === 'n3')).toEqual([
      { event: 'node.up', node: 'n3' },
      { event: 'node.down', node: 'n3' },
      { event: 'node.up', node: 'n3' },
    ]);
  }, 60_000);
});
