// No one caller can exhaust the handshake for the others (docs/security.md): a member's valid
// handshakes are charged to its own identity, failed ones to their source address, and used
// challenges are remembered per identity.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isWsTransportError, type WsTransportEvent } from '../src/index.js';
import { identityOf, presented } from './credentials.js';
import { nodeStarter } from './harness.js';
import { rawUpgrade, signedHello } from './http-probe.js';
import { RawPeer } from './raw-peer.js';

const start = nodeStarter();

/** More handshakes than one identity's burst and than the (small) replay bound below. */
const FLOOD = 60;

async function stage() {
  const clock = new TestClock();
  const events: WsTransportEvent[] = [];
  // The node's wall clock stands still: token buckets refill by it, so none refills mid-test.
  const now = Date.now();
  const a = await start('a', clock, {
    wallClock: () => now,
    identity: identityOf('a'),
    replayCacheSize: 50,
    onEvent: (e) => events.push(e),
  });
  const honest = await start('honest', clock, { identity: identityOf('honest') });
  await honest.transport.connect(a.address);
  return { a, honest, events };
}

describe('handshake limits', () => {
  it('lets an honest node rejoin while another member floods valid handshakes', async () => {
    const { a, events } = await stage();
    const statuses: number[] = [];
    const mallory = presented('mallory', 'mallory');
    for (let i = 0; i < FLOOD; i++) {
      const { headers } = await signedHello(
        a.address,
        { node: 'mallory', incarnation: `mallory${i}` },
        undefined,
        mallory,
      );
      statuses.push((await rawUpgrade(a.address, headers)).status);
    }
    // The first handshakes pass (each supersedes the last), then mallory alone is refused.
    expect(statuses.filter((s) => s === 101).length).toBe(20);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // honest restarts: its new incarnation is admitted and supersedes its old connection.
    const rejoined = await RawPeer.connect(a.address, {
      name: 'honest',
      incarnation: 'rejoined01',
      identity: presented('honest', 'honest'),
    });
    expect(await rejoined.roundTrip()).toBe('open');
    expect(
      events.filter((e) => e.type === 'connection.up' && e.node === 'honest').length,
    ).toBeGreaterThanOrEqual(1);
    rejoined.close();
  });

  it('refuses a replayed handshake as a failure of its source, not of the identity it replays', async () => {
    const { a, events } = await stage();
    const honestKey = presented('honest', 'honest');
    const recorded = await signedHello(
      a.address,
      { node: 'honest', incarnation: 'honest0002' },
      undefined,
      honestKey,
    );
    expect((await rawUpgrade(a.address, recorded.headers)).status).toBe(101);
    for (let i = 0; i < 30; i++) {
      expect((await rawUpgrade(a.address, recorded.headers)).status).toBe(401);
    }
    const reasons = events.flatMap((e) => (e.type === 'handshake.rejected' ? [e.reason] : []));
    expect(new Set(reasons)).toEqual(new Set(['replayed handshake']));
    // honest's own bucket was not charged by the replays: it can still rejoin.
    const rejoined = await RawPeer.connect(a.address, {
      name: 'honest',
      incarnation: 'honest0003',
      identity: honestKey,
    });
    expect(await rejoined.roundTrip()).toBe('open');
    rejoined.close();
  });

  it('answers 429 to a source address after its burst of failed handshakes, before checking them', async () => {
    const { a, events } = await stage();
    const statuses: number[] = [];
    for (let i = 0; i < 70; i++) {
      const { headers } = await signedHello(
        a.address,
        { node: 'nobody' },
        'a-wrong-secret-0123456789-abcdefghijklmn',
      );
      statuses.push((await rawUpgrade(a.address, headers)).status);
    }
    expect(statuses.slice(0, 64).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(64).every((s) => s === 429)).toBe(true);
    const last = events.at(-1);
    expect(last).toEqual({
      type: 'handshake.rejected',
      status: 429,
      reason: 'too many failed handshakes',
    });
    const error = await RawPeer.connect(a.address, {
      name: 'honest',
      identity: presented('honest', 'honest'),
    }).catch((e: unknown) => e);
    // A node behind the same address is refused too: the documented cost of an address limit.
    expect(isWsTransportError(error, 'ERR_CONNECT_REFUSED')).toBe(true);
  });
});
