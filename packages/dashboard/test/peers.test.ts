import { createNode, defineActor, isWardenError, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DashboardPeer,
  type DashboardServer,
  type DashboardSnapshot,
  httpPeer,
  type NodeView,
  serveDashboard,
} from '../src/index.js';
import { PeerWatch } from '../src/internal/peer-watch.js';
import { send } from './http-client.js';

const idle = defineActor<null, undefined>({ init: () => null });

const open: { node: Node; server: DashboardServer }[] = [];
afterEach(async () => {
  for (const { node, server } of open.splice(0)) {
    await server.close();
    await node.stop();
  }
});

async function served(name: string, options: Parameters<typeof serveDashboard>[1] = {}) {
  const clock = new TestClock();
  const node = createNode({ name, clock });
  const server = await serveDashboard(node, { uiDir: false, ...options });
  open.push({ node, server });
  return { clock, node, server };
}

const limits = { peerIntervalMs: 1_000, peerTimeoutMs: 500 };

describe('peers', () => {
  it("reads another node's view from its dashboard, with the token its URL carries", async () => {
    const b = await served('b');
    b.node.register('worker', b.node.spawn(idle));
    await b.clock.settle();
    const view = await httpPeer({ url: b.server.url }).fetch(new AbortController().signal);
    expect(view.name).toBe('b');
    expect(view.processes.map((p) => p.name)).toEqual(['worker']);
    const refused = httpPeer({ url: `http://127.0.0.1:${b.server.port}/`, token: 'wrong' });
    await expect(refused.fetch(new AbortController().signal)).rejects.toThrow('answered 401');
  });

  it('refuses a peer URL that is not http', () => {
    const error = (() => {
      try {
        httpPeer({ url: 'file:///etc/passwd', token: 't' });
      } catch (e) {
        return e;
      }
    })();
    expect(isWardenError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
  });

  it("shows a peer's tree beside its own node's in the snapshot", async () => {
    const b = await served('b');
    b.node.register('far-worker', b.node.spawn(idle));
    let fetched: Promise<NodeView> | undefined;
    const toB = httpPeer({ url: b.server.url, name: 'b' });
    const peer: DashboardPeer = { name: 'b', fetch: (signal) => (fetched = toB.fetch(signal)) };
    const a = await served('a', { peers: [peer], ...limits });
    a.node.register('near-worker', a.node.spawn(idle));
    const get = async () =>
      (
        await send(`http://127.0.0.1:${a.server.port}/api/snapshot`, {
          headers: { authorization: `Bearer ${a.server.token}` },
        })
      ).json<DashboardSnapshot>();
    const before = await get();
    expect(before.nodes.map((n) => [n.name, n.reachable, n.error])).toEqual([
      ['a', true, undefined],
      ['b', false, 'not fetched yet'],
    ]);
    await a.clock.advance(0); // the first fetch is due at once
    await fetched;
    const after = await get();
    expect(after.nodes.map((n) => [n.name, n.reachable])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(after.nodes[0]?.processes.map((p) => p.name)).toEqual(['near-worker']);
    expect(after.nodes[1]?.processes.map((p) => p.name)).toEqual(['far-worker']);
  });

  it('marks a peer that does not answer in time unreachable, on the node clock', async () => {
    const clock = new TestClock();
    const silent: DashboardPeer = { name: 'silent', fetch: () => new Promise(() => {}) };
    const watch = new PeerWatch(clock, [silent], limits, () => {});
    const polled = watch.poll();
    await clock.advance(500);
    await polled;
    expect(watch.views()[0]).toMatchObject({
      name: 'silent',
      reachable: false,
      error: 'no answer in 500 ms',
    });
    watch.stop();
  });

  it('keeps the last view of a peer that went down, marked unreachable with why', async () => {
    const clock = new TestClock();
    const b = await served('b');
    b.node.register('worker', b.node.spawn(idle));
    const toB = httpPeer({ url: b.server.url });
    let changes = 0;
    const watch = new PeerWatch(clock, [toB], limits, () => changes++);
    await watch.poll();
    expect(watch.views()[0]).toMatchObject({ name: 'b', reachable: true });
    await b.node.stop(); // its dashboard closes with it
    await watch.poll();
    const [view] = watch.views();
    expect(view?.reachable).toBe(false);
    expect(view?.error).toMatch(/fetch failed|ECONNREFUSED/);
    expect(view?.processes.map((p) => p.name)).toEqual(['worker']);
    expect(changes).toBe(2);
    watch.stop();
  });

  it('polls every peerIntervalMs while it runs, and not after it stops', async () => {
    const clock = new TestClock();
    let calls = 0;
    const counting: DashboardPeer = {
      name: 'c',
      fetch: async () => {
        calls++;
        throw new Error('down');
      },
    };
    const watch = new PeerWatch(clock, [counting], limits, () => {});
    await clock.advance(0);
    await clock.advance(1_000);
    await clock.advance(1_000);
    expect(calls).toBe(3);
    watch.stop();
    await clock.advance(5_000);
    expect(calls).toBe(3);
    expect(clock.pendingTimers).toBe(0);
  });
});
