// Random interleavings of honest joins, impostor attempts, replays and floods never keep an honest
// node's calls failing for longer than one heartbeat timeout (docs/security.md). Time is counted
// in call attempts: after each step the test advances the node clock by one cadence and makes
// one call, so `heartbeatTimeout / CADENCE` consecutive failures is the bound.
import { defineActor, reply } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encode } from '../src/internal/codec.js';
import { FRAME } from '../src/internal/frames.js';
import { identityOf, presented } from './credentials.js';
import { nodeStarter, type TestNode } from './harness.js';
import { rawUpgrade, signedHello } from './http-probe.js';
import { RawPeer } from './raw-peer.js';

const start = nodeStarter();
const HEARTBEAT = { interval: 100, timeout: 500 };
const CADENCE = HEARTBEAT.interval;
const MAX_FAILURES_IN_A_ROW = HEARTBEAT.timeout / CADENCE;
/** Seeded; FC_SEED and FC_PATH replay a printed failure. */
const SEED = Number(process.env.FC_SEED ?? 20_261_206);

type Step =
  | { kind: 'join' }
  | { kind: 'rejoin' }
  | { kind: 'impostor'; stolenCertificate: boolean }
  | { kind: 'replay'; times: number }
  | { kind: 'members'; count: number }
  | { kind: 'handshakes'; count: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'join' }),
  fc.constant<Step>({ kind: 'rejoin' }),
  fc.boolean().map<Step>((stolenCertificate) => ({ kind: 'impostor', stolenCertificate })),
  fc.integer({ min: 1, max: 4 }).map<Step>((times) => ({ kind: 'replay', times })),
  fc.integer({ min: 1, max: 1024 }).map<Step>((count) => ({ kind: 'members', count })),
  fc.integer({ min: 1, max: 30 }).map<Step>((count) => ({ kind: 'handshakes', count })),
);

const echo = defineActor<null, void, unknown>({
  init: () => null,
  handleCall: (request, _from, state) => reply(request, state),
});

const heartbeat = {
  heartbeatInterval: HEARTBEAT.interval,
  heartbeatTimeout: HEARTBEAT.timeout,
  reconnect: { initial: 50, max: 100 },
};

/** Settles `p` or fails the test after `ms` of real time: a guard, never a measurement. */
function guarded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung: ${what}`)), ms);
  });
  return Promise.race([p, guard]).finally(() => clearTimeout(timer));
}

async function run(steps: Step[]): Promise<void> {
  const clock = new TestClock();
  const a = await start('a', clock, { ...heartbeat, identity: identityOf('a') });
  const honest = await start('honest', clock, { ...heartbeat, identity: identityOf('honest') });
  await honest.transport.connect(a.address);
  const srv = a.node.spawn(echo);
  const mallory = await RawPeer.connect(a.address, {
    name: 'mallory',
    identity: presented('mallory', 'mallory'),
  });
  const joined: TestNode[] = [];
  let failuresInARow = 0;
  let worst = 0;

  const act = async (s: Step, i: number): Promise<void> => {
    switch (s.kind) {
      case 'join': {
        const name = `h${i}`;
        const n = await start(name, clock, { ...heartbeat, identity: identityOf(name) });
        await n.transport.connect(a.address);
        joined.push(n);
        return;
      }
      case 'rejoin':
        honest.transport.disconnect('a');
        return;
      case 'impostor': {
        const claim = RawPeer.connect(a.address, {
          name: 'honest',
          incarnation: `impostor${i}`,
          identity: s.stolenCertificate
            ? presented('honest', 'mallory')
            : presented('mallory', 'mallory'),
        });
        const result = await claim.then(
          (peer) => {
            peer.close();
            return 'admitted';
          },
          () => 'refused',
        );
        expect(result).toBe('refused');
        return;
      }
      case 'replay': {
        const recorded = await signedHello(
          a.address,
          { node: 'mallory', incarnation: `mallory${i}` },
          undefined,
          presented('mallory', 'mallory'),
        );
        await rawUpgrade(a.address, recorded.headers);
        for (let k = 0; k < s.times; k++) {
          expect((await rawUpgrade(a.address, recorded.headers)).status).toBe(401);
        }
        return;
      }
      case 'members': {
        if (mallory.isClosed) return;
        const members = Array.from({ length: s.count }, (_, k) => [
          `m${k}`,
          `127.2.${k >> 8}.${(k & 0xff) + 1}`,
          9,
        ]);
        mallory.send(encode([FRAME.members, mallory.seq++, 0, members]));
        return;
      }
      case 'handshakes':
        for (let k = 0; k < s.count; k++) {
          const { headers } = await signedHello(
            a.address,
            { node: 'mallory', incarnation: `flood${i}x${k}` },
            undefined,
            presented('mallory', 'mallory'),
          );
          await rawUpgrade(a.address, headers);
        }
        return;
    }
  };

  for (const [i, s] of steps.entries()) {
    await guarded(act(s, i), 20_000, s.kind);
    await clock.advance(CADENCE);
    const ok = await guarded(
      honest.node.call(srv, i, { timeout: CADENCE }).then(
        () => true,
        () => false,
      ),
      20_000,
      'a call',
    );
    failuresInARow = ok ? 0 : failuresInARow + 1;
    worst = Math.max(worst, failuresInARow);
  }
  // However the steps ended, the honest node is served again within one heartbeat timeout.
  for (let k = 0; k < MAX_FAILURES_IN_A_ROW && failuresInARow > 0; k++) {
    await clock.advance(CADENCE);
    const ok = await guarded(
      honest.node.call(srv, 'after', { timeout: CADENCE }).then(
        () => true,
        () => false,
      ),
      20_000,
      'a call',
    );
    failuresInARow = ok ? 0 : failuresInARow + 1;
    worst = Math.max(worst, failuresInARow);
  }
  mallory.close();
  expect(worst).toBeLessThanOrEqual(MAX_FAILURES_IN_A_ROW);
  expect(failuresInARow).toBe(0);
}

describe('the cluster under attack (property)', () => {
  it('keeps an honest node served within one heartbeat timeout whatever the interleaving', async () => {
    await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), run), {
      numRuns: 20,
      seed: SEED,
      ...(process.env.FC_PATH !== undefined ? { path: process.env.FC_PATH } : {}),
      endOnFailure: true,
    });
  }, 300_000);
});
