// Membership gossip cannot be turned into a dial storm (docs/security.md): a node dials only
// peers the cluster vouches for, remembers a bounded number, dials a few at a time, gives up, and
// stops dialing what no connected member lists any more.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import type { WsTransportEvent, WsTransportOptions } from '../src/index.js';
import { encode } from '../src/internal/codec.js';
import { FRAME } from '../src/internal/frames.js';
import { certificateFor, presented } from './credentials.js';
import { nodeStarter } from './harness.js';
import { RawPeer } from './raw-peer.js';

const start = nodeStarter();
const FLOOD = 1024;

/** Every member certified by the test cluster, as a member that holds credentials can list. */
const certified = (name: string) => certificateFor(name);

/** `count` members on closed loopback addresses (distinct hosts, one port nothing listens on). */
function unreachable(count: number, certificate = (_name: string) => ''): unknown[] {
  return Array.from({ length: count }, (_, i) => {
    const name = `p${String(i).padStart(4, '0')}`;
    const cert = certificate(name);
    const host = `127.1.${i >> 8}.${(i & 0xff) + 1}`;
    return cert === '' ? [name, host, 9] : [name, host, 9, cert];
  });
}

async function flooded(options: Partial<WsTransportOptions>) {
  const clock = new TestClock();
  const events: WsTransportEvent[] = [];
  const a = await start('a', clock, { ...options, onEvent: (e) => events.push(e) });
  const mallory = await RawPeer.connect(a.address, { name: 'mallory' });
  const dialed = () => events.flatMap((e) => (e.type === 'dial.failed' ? [e.address] : []));
  /** Runs the node's redial timers a bounded number of times, letting each dial settle. */
  const runTimers = async (rounds: number) => {
    for (let i = 0; i < rounds; i++) {
      await clock.settle();
      if (!(await clock.advanceToNext())) break;
    }
    await clock.settle();
  };
  return { a, mallory, events, dialed, runTimers };
}

describe('membership gossip', () => {
  it('bounds the peers a flood of members makes it dial, and stops once the sender is gone', async () => {
    const s = await flooded({
      maxPeers: 16,
      maxConcurrentDials: 4,
      redialAttempts: 3,
      reconnect: { initial: 100, max: 400 },
    });
    s.mallory.send(encode([FRAME.members, s.mallory.seq++, 0, unreachable(FLOOD, certified)]));
    await s.runTimers(100);
    const distinct = new Set(s.dialed());
    // One record is mallory's own: fifteen gossiped peers at most, each dialed at most 1 + 3 times.
    expect(distinct.size).toBeLessThanOrEqual(15);
    expect(distinct.size).toBeGreaterThan(0);
    expect(s.dialed().length).toBeLessThanOrEqual(15 * 4);
    expect(s.events).toContainEqual(
      expect.objectContaining({
        type: 'members.ignored',
        from: 'mallory',
        reason: 'too many peers',
      }),
    );
    s.mallory.close();
    await s.runTimers(5);
    const before = s.dialed().length;
    await s.runTimers(100);
    expect(s.dialed().length).toBe(before);
  });

  it('stops dialing a gossiped peer once no connected member lists it', async () => {
    const s = await flooded({ reconnect: { initial: 100, max: 400 } });
    s.mallory.send(encode([FRAME.members, s.mallory.seq++, 0, unreachable(3, certified)]));
    await s.runTimers(3);
    expect(s.dialed().length).toBeGreaterThan(0);
    s.mallory.close();
    await s.runTimers(3);
    const before = s.dialed().length;
    await s.runTimers(50);
    expect(s.dialed().length).toBe(before);
  });

  it('dials no member whose certificate the cluster key did not sign', async () => {
    const s = await flooded({});
    const stolen = presented('honest', 'honest').certificate;
    s.mallory.send(
      encode([
        FRAME.members,
        s.mallory.seq++,
        0,
        [
          ...unreachable(FLOOD - 1),
          // A real certificate under another name is no voucher either.
          ['p9999', '127.0.0.1', 9, stolen],
        ],
      ]),
    );
    expect(await s.mallory.roundTrip()).toBe('open');
    await s.runTimers(20);
    expect(s.dialed()).toEqual([]);
    expect(s.events).toContainEqual({
      type: 'members.ignored',
      from: 'mallory',
      count: FLOOD,
      reason: 'bad certificate',
    });
  });
});
