// Three warden nodes in three child processes (ws-node-process.ts) plus the test's own node
// `ctl`, joined by @warden/transport-ws on 127.0.0.1: what survives a SIGKILL and a SIGSTOP
// (docs/semantics.md items 44, 49, 51, 55, 56). Real time and real processes: every wait is
// bounded, every child is killed after each test.
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
import { createWsTransport, type WsTransport } from '@warden/transport-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildNode, startChildren, within } from './ws-children.js';

const SECRET = 'multi-process-secret-0123456789abcdef';
const HEARTBEAT = { interval: 200, timeout: 1000 };
/** Heartbeat timeout plus one interval, plus slack for a loaded machine. */
const DETECTION_BOUND = HEARTBEAT.timeout + HEARTBEAT.interval + 1500;

interface Cluster {
  readonly ctl: Node;
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
  const children = await startChildren(['n1', 'n2', 'n3'], {
    WARDEN_SECRET: SECRET,
    WARDEN_HEARTBEAT_INTERVAL: String(HEARTBEAT.interval),
    WARDEN_HEARTBEAT_TIMEOUT: String(HEARTBEAT.timeout),
  });
  const transport = createWsTransport({
    secret: SECRET,
    heartbeatInterval: HEARTBEAT.interval,
    heartbeatTimeout: HEARTBEAT.timeout,
    reconnect: { initial: 50, max: 500 },
  });
  const ctl = createNode({ name: 'ctl', transport });
  const c = { ctl, transport, children };
  open.push(c);
  await transport.listen({ host: '127.0.0.1', port: 0 });
  for (const child of children) await transport.connect(child.address);
  await within(10_000, () => ctl.nodes().length === 3, 'ctl to see n1..n3');
  for (const child of children) {
    await within(
      10_000,
      async () => (await child.command<string[]>({ cmd: 'nodes' })).length === 3,
      `${child.name} meshed`,
    );
  }
  return c;
}

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
    await n2.command({ cmd: 'watch', target: victim.toJSON(), report: probe.pid.toJSON() });
    const call = c.ctl.call(victim, { hang: true }, { timeout: 30_000 }).catch((e: unknown) => e);
    // A call after the link and the monitor: FIFO per pair means n3 has recorded both.
    expect(await c.ctl.call(victim, { echo: 'ready' })).toBe('ready');

    const killedAt = performance.now();
    n3.proc.kill('SIGKILL');

    await probe.expectDown(ref, 'noconnection', { within: DETECTION_BOUND });
    await probe.expectExit(victim, 'noconnection', { within: DETECTION_BOUND });
    const error = await call;
    expect(isWardenError(error, 'ERR_NODEDOWN')).toBe(true);
    expect(performance.now() - killedAt).toBeLessThan(DETECTION_BOUND);

    // The watcher on n2 saw its link and its monitor fire with noconnection, each once.
    const fromWatcher = (kind: string) => (m: unknown) =>
      (m as { from?: string; kind?: string }).from === 'n2' &&
      (m as { kind?: string }).kind === kind;
    expect(
      await probe.expectMessage(fromWatcher('exit'), { within: DETECTION_BOUND }),
    ).toMatchObject({ reason: 'noconnection' });
    expect(
      await probe.expectMessage(fromWatcher('down'), { within: DETECTION_BOUND }),
    ).toMatchObject({ reason: 'noconnection' });

    // The supervisor on n1 lost its child on n3 and started a new one through n2's helper.
    let restarted: Pid | undefined;
    await within(
      DETECTION_BOUND + 3000,
      async () => {
        const [info] = await whichChildren(c.ctl, sup);
        const pid = (info as ChildInfo).pid;
        if (typeof pid === 'object' && pid !== null && (pid as Pid).node === 'n2')
          restarted = pid as Pid;
        return restarted !== undefined;
      },
      'the supervisor to restart its child on n2',
    );
    expect(await c.ctl.call(restarted as Pid, { echo: 'alive' })).toBe('alive');
    expect(c.ctl.nodes().sort()).toEqual(['n1', 'n2']);
    await probe.expectNoMessage(300, (m) => (m as { kind?: string }).kind !== undefined);
  }, 60_000);
});

describe('a node process paused with SIGSTOP (items 55, 56)', () => {
  it('is declared down after the heartbeat timeout and, resumed, learns it before its stale work is delivered', async () => {
    const c = await cluster();
    const [n1, n3] = [child(c, 'n1'), child(c, 'n3')];
    const log: Array<{ event: string } | { seq: number; downs: number }> = [];
    c.ctl.inspect((e: NodeEvent) => {
      if ((e.type === 'node.down' || e.type === 'node.up') && e.node === 'n3')
        log.push({ event: e.type });
    });
    const sink = c.ctl.spawn(
      async (ctx) => {
        for (let i = 0; i < 100_000; i++) {
          const m = (await ctx.receive()) as { seq: number; downs: number; downsSeen?: number };
          log.push({ seq: m.seq, downs: m.downsSeen ?? -1 });
        }
      },
      { mailbox: { capacity: Number.POSITIVE_INFINITY } },
    );
    await n3.command({ cmd: 'tick', to: sink.toJSON(), every: 20 });
    await within(5000, () => log.length >= 5, 'ticks from n3');

    const stoppedAt = performance.now();
    n3.proc.kill('SIGSTOP');
    await within(DETECTION_BOUND, () => !c.ctl.nodes().includes('n3'), 'ctl to declare n3 down');
    const detectedIn = performance.now() - stoppedAt;
    expect(detectedIn).toBeGreaterThanOrEqual(HEARTBEAT.timeout - 50);
    await within(
      DETECTION_BOUND,
      async () => !(await n1.command<string[]>({ cmd: 'nodes' })).includes('n3'),
      'n1 to declare n3 down',
    );
    const downAt = log.findIndex((x) => 'event' in x && x.event === 'node.down');
    expect(downAt).toBeGreaterThanOrEqual(0);

    n3.proc.kill('SIGCONT');
    await within(10_000, () => c.ctl.nodes().includes('n3'), 'n3 to reconnect');
    const upAt = log.findIndex((x, i) => i > downAt && 'event' in x && x.event === 'node.up');
    await within(5000, () => log.length > upAt + 5, 'ticks after the reconnection');

    // Nothing from n3 arrives between its down and its up, and everything after the up was sent
    // by a process whose node had already seen node.down (it learnt it was cut off first).
    expect(log.slice(downAt + 1, upAt).filter((x) => 'seq' in x)).toEqual([]);
    const after = log
      .slice(upAt + 1)
      .filter((x): x is { seq: number; downs: number } => 'seq' in x);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((x) => x.downs >= 1)).toBe(true);
    const n3Downs = n3.events
      .filter((e) => e.event === 'node.down')
      .map((e) => e.node)
      .sort();
    expect(n3Downs).toEqual(['ctl', 'n1', 'n2']);
    expect(log.filter((x) => 'event' in x)).toEqual([{ event: 'node.down' }, { event: 'node.up' }]);
  }, 60_000);
});
