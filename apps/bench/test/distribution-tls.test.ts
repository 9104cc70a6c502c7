// The distribution cases over TLS: each runs once at a tiny size on both columns (plain ws and
// wss), node B really listens with TLS only, and without the openssl CLI the cases are left out
// with the reason said. Node B runs `apps/bench/dist/ws-peer.js`: build first (`npx tsc -b`).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createNode } from '@warden/core';
import { createWsTransport, isWsTransportError } from '@warden/transport-ws';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeerProcess } from '../src/peer-process.js';
import { selfSignedTls } from '../src/self-signed-tls.js';
import type { Metric } from '../src/workload.js';
import { distribution } from '../src/workloads/distribution.js';
import { identityOf, peerOptions } from '../src/workloads/distribution-pass.js';

const TINY = 0.001;

function opensslRuns(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const HAS_OPENSSL = opensslRuns();

const TLS_CASES = [
  'distribution/tls/one-per-frame',
  'distribution/tls/batched',
  'distribution/tls/round-trip',
  'distribution/tls/connect',
];

describe.skipIf(!HAS_OPENSSL)('distribution over TLS (openssl available)', () => {
  it('makes its certificate in a temporary folder and leaves none behind', () => {
    const ours = () => readdirSync(tmpdir()).filter((n) => n.startsWith('warden-bench-tls-'));
    const before = new Set(ours());
    const tls = selfSignedTls();
    expect(tls.cert).toContain('BEGIN CERTIFICATE');
    expect(tls.key).toContain('PRIVATE KEY');
    expect(ours().filter((n) => !before.has(n))).toEqual([]);
  });

  it('has a TLS variant of one-per-frame, batched and round-trip, and the join', () => {
    const ids = distribution.cases(TINY).map((c) => c.id);
    expect(ids.filter((id) => id.startsWith('distribution/tls/'))).toEqual(TLS_CASES);
  });

  for (const c of distribution.cases(TINY).filter((c) => c.id.startsWith('distribution/tls/'))) {
    it(`${c.id} runs over ws and over wss and reports its metrics`, {
      timeout: 60_000,
    }, async () => {
      expect(Object.keys(c.run).sort()).toEqual(['raw', 'warden']);
      for (const run of [c.run.raw, c.run.warden]) {
        const sample = await run?.();
        for (const metric of c.metrics as Metric[]) {
          expect(sample?.[metric.key], metric.key).toBeGreaterThan(0);
        }
      }
    });
  }

  it('node B of a TLS run speaks only TLS: a plain dial is refused, a wss dial joins', {
    timeout: 30_000,
  }, async () => {
    const tls = selfSignedTls();
    const options = peerOptions(undefined, tls);
    const peer = await PeerProcess.start('warden', options);
    try {
      // A refused join is retried until its timeout: a short one for the plain dial.
      const join = async (name: string, withTls: boolean, timeout: number): Promise<unknown> => {
        const { tls: _, ...plain } = options;
        const transport = createWsTransport({
          ...(withTls ? options : plain),
          identity: identityOf(name),
        });
        const node = createNode({ name, transport });
        try {
          return await transport.connect(peer.ready.address, { timeout });
        } catch (error) {
          return error;
        } finally {
          await node.stop();
          await transport.close();
        }
      };
      expect(isWsTransportError(await join('bench-a-plain', false, 1000))).toBe(true);
      expect(await join('bench-a-tls', true, 10_000)).toBe('bench-b');
    } finally {
      await peer.stop();
    }
  });
});

describe('distribution without openssl', () => {
  const path = process.env.PATH;
  afterEach(() => {
    process.env.PATH = path;
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('leaves the TLS cases out and says why, once', async () => {
    vi.resetModules();
    process.env.PATH = '';
    const said = vi.spyOn(console, 'error').mockImplementation(() => {});
    const fresh = (await import('../src/workloads/distribution.js')).distribution;
    const ids = fresh.cases(TINY).map((c) => c.id);
    fresh.cases(TINY);
    expect(ids.some((id) => id.startsWith('distribution/tls/'))).toBe(false);
    expect(ids).toContain('distribution/round-trip');
    expect(said.mock.calls.map((args) => String(args[0]))).toEqual([
      expect.stringMatching(/^distribution\/tls\/\*: skipped: the openssl CLI does not run/),
    ]);
  });
});
