// Memory after oversized frames returns to its level before (docs/security.md). The victim runs
// in a child process so that what is measured is its memory alone: the attacker's side (here,
// this process) holds a masked copy of every frame it sends, which says nothing about the victim.
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE } from '../src/internal/close-codes.js';
import { identityOf } from './credentials.js';
import { RawPeer } from './raw-peer.js';

const CHILD = fileURLToPath(new URL('./oversized-frame-child.ts', import.meta.url));
/** The workspace that provides tsx, as for the multi-process cluster suite. */
const TSX_HOME = fileURLToPath(new URL('../../../tests/', import.meta.url));
const MIB = 1024 * 1024;
const FRAME = Buffer.alloc(16 * MIB, 7);
const ROUNDS = 8;

interface Memory {
  readonly rss: number;
  readonly arrayBuffers: number;
  readonly external: number;
}

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});

async function victim() {
  const proc = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', '--conditions=source', CHILD],
    {
      cwd: TSX_HOME,
      stdio: ['pipe', 'pipe', 'inherit'],
      // Its credential, from this process's cluster key, so that the peers here can prove theirs.
      env: { ...process.env, WARDEN_TEST_IDENTITY: JSON.stringify(identityOf('victim')) },
    },
  );
  child = proc;
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[
    Symbol.asyncIterator
  ]();
  const next = async (): Promise<unknown> => {
    const line = await lines.next();
    if (line.done === true) throw new Error('the victim exited');
    return JSON.parse(line.value);
  };
  const { address } = (await next()) as { address: string };
  const measure = async (): Promise<Memory> => {
    proc.stdin?.write('measure\n');
    return (await next()) as Memory;
  };
  return { address, measure };
}

describe('memory after oversized frames', () => {
  it('returns to its level before, whole frames or fragments, through forced GCs', async () => {
    const { address, measure } = await victim();
    // Warm up: one connection's worth of buffers and code paths before the baseline.
    const warm = await RawPeer.connect(address, { name: 'warm' });
    warm.send(warm.batch([]));
    expect(await warm.roundTrip(15_000)).toBe('open');
    warm.close();
    await warm.closed;
    const before = await measure();
    const codes: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const peer = await RawPeer.connect(address, { name: `big${i}`, incarnation: `big${i}00001` });
      if (i % 2 === 0) peer.send(FRAME);
      else {
        // The same 16 MiB as 1 MiB fragments of one message.
        for (let k = 0; k < 16; k++) {
          peer.ws.send(FRAME.subarray(k * MIB, (k + 1) * MIB), { binary: true, fin: k === 15 });
        }
      }
      codes.push((await peer.closed).code);
    }
    const after = await measure();
    expect(codes).toEqual(Array.from({ length: ROUNDS }, () => CLOSE.tooBig));
    // Nothing the victim's JavaScript can reach is kept: buffers back within 1 MiB.
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(MIB);
    expect(after.external - before.external).toBeLessThan(MIB);
    // RSS may keep the allocator's high-water mark, but not a frame's worth per frame.
    expect(after.rss - before.rss).toBeLessThan(3 * 16 * MIB);
  }, 60_000);
});
