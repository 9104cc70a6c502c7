import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createNode, defineActor } from '@warden/core';
import nact from 'nact';
import { type Actor, createActor, fromTransition } from 'xstate';
import { BenchCheckError, expectEqual } from '../check.js';
import { RawActor } from '../contenders/raw.js';
import {
  type ActorRuntime,
  type Case,
  type ContenderName,
  deferred,
  nextTurn,
  type Sample,
  scaled,
  type Workload,
} from '../workload.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** True when node runs with `--expose-gc`; without it the memory numbers are noise. */
export function canMeasureMemory(): boolean {
  return gc !== undefined;
}

/**
 * Retained heap per idle actor: `n` actors are spawned, each handles one message (so its mailbox
 * has been used), and then they sit idle. Heap used after a forced full GC, minus the heap before,
 * divided by `n`. The array holding the handles is allocated before the first reading, so it is
 * not counted.
 *
 * Each measurement runs in a fresh Node process (`memory-probe.js`): in the suite's process the
 * figure moved by up to 250 B per actor with what had run before (hidden classes generalised by
 * earlier workloads, heap fragmentation). Where the probe is not built (tests run the sources),
 * it measures in this process.
 */
export const memory: Workload = {
  name: 'memory',
  title: 'Memory: retained heap per idle actor',
  cases(scale: number): Case[] {
    const n = scaled(100_000, scale, 10);
    return [
      {
        id: 'memory',
        params: `${n} idle actors`,
        metrics: [{ key: 'bytes', unit: 'B/actor' }],
        run: {
          raw: () => isolated('raw', n),
          warden: () => isolated('warden', n),
          xstate: () => isolated('xstate', n),
          nact: () => isolated('nact', n),
        },
      },
    ];
  },
};

const PROBE = fileURLToPath(new URL('../memory-probe.js', import.meta.url));

/** Measures in a fresh `node --expose-gc` process when the probe is built, else here. */
function isolated(contender: ContenderName, n: number): Promise<Sample> {
  if (!existsSync(PROBE)) return measureMemory(contender, n);
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', PROBE, contender, String(n)],
      (error, stdout, stderr) => {
        if (error !== null) {
          reject(
            new BenchCheckError(`memory probe for ${contender} failed: ${stderr || error.message}`),
          );
          return;
        }
        resolve(JSON.parse(stdout) as Sample);
      },
    );
  });
}

/** One measurement in this process. */
export function measureMemory(contender: ContenderName, n: number): Promise<Sample> {
  const populate = POPULATE[contender as ActorRuntime] as Populate | undefined;
  if (populate === undefined) throw new BenchCheckError(`${contender} has no actors to measure`);
  return measureHeap(n, populate);
}

/** Spawns `n` actors into `handles`, waits until each has handled its message; returns cleanup. */
type Populate = (n: number, handles: unknown[], arrived: () => void) => () => void;

async function heapUsed(): Promise<number> {
  await nextTurn();
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

async function measureHeap(n: number, populate: Populate): Promise<Sample> {
  const handles: unknown[] = new Array(n).fill(undefined);
  let seen = 0;
  const all = deferred();
  const arrived = (): void => {
    if (++seen === n) all.resolve();
  };
  const before = await heapUsed();
  const cleanup = populate(n, handles, arrived);
  await all.promise;
  const after = await heapUsed();
  cleanup();
  expectEqual('actors that handled their message', seen, n);
  return { bytes: (after - before) / n };
}

const raw: Populate = (n, handles, arrived) => {
  for (let i = 0; i < n; i++) {
    const actor = new RawActor<number>(arrived);
    handles[i] = actor;
    actor.send(i);
  }
  return () => {
    for (const actor of handles as RawActor<number>[]) actor.stop();
  };
};

const idle = defineActor<() => void, () => void>({
  init: (arrived) => arrived,
  handleInfo: (_message: number, arrived) => {
    arrived();
    return arrived;
  },
});

const warden: Populate = (n, handles, arrived) => {
  const node = createNode({ name: 'bench' });
  for (let i = 0; i < n; i++) {
    const pid = node.spawn(idle, { args: arrived });
    handles[i] = pid;
    node.send(pid, i);
  }
  return () => void node.stop();
};

interface Poke {
  readonly type: 'poke';
}

const xidle = fromTransition(
  (arrived: () => void, event: Poke) => {
    if (event.type === 'poke') arrived();
    return arrived;
  },
  ({ input }: { input: () => void }) => input,
);

const xstate: Populate = (n, handles, arrived) => {
  const poke: Poke = { type: 'poke' };
  for (let i = 0; i < n; i++) {
    const actor = createActor(xidle, { input: arrived }).start();
    handles[i] = actor;
    actor.send(poke);
  }
  return () => {
    for (const actor of handles as Actor<typeof xidle>[]) actor.stop();
  };
};

const nactRun: Populate = (n, handles, arrived) => {
  const system = nact.start();
  const handler = (state: () => void): (() => void) => {
    state();
    return state;
  };
  for (let i = 0; i < n; i++) {
    const ref = nact.spawn(system, handler, `m${i}`, { initialState: arrived });
    handles[i] = ref;
    nact.dispatch(ref, i);
  }
  return () => nact.stop(system);
};

const POPULATE: Record<ActorRuntime, Populate> = { raw, warden, xstate, nact: nactRun };
