import {
  type ChildSpec,
  createNode,
  defineActor,
  type Pid,
  type Strategy,
  startSupervisor,
} from '@warden/core';
import { expectEqual } from '../check.js';
import { RawActor } from '../contenders/raw.js';
import { percentile } from '../stats.js';
import {
  type Case,
  type Deferred,
  deferred,
  type Sample,
  scaled,
  type Workload,
} from '../workload.js';

/**
 * Supervisor restart latency: from the moment a trivial child is told to crash (it throws) to the
 * moment its replacement has answered a message. `one_for_one` restarts the child alone;
 * `one_for_all` with 100 children stops the 99 siblings and starts all 100 again, and the sample
 * ends when all 100 have started and the crashed child's replacement has answered.
 * Raw: the same protocol with a minimal supervisor callback around `RawActor`.
 */
export const restartLatency: Workload = {
  name: 'restart-latency',
  title: 'Supervisor restart latency',
  cases(scale: number): Case[] {
    const oneForOne = scaled(2000, scale, 5);
    const oneForAll = scaled(200, scale, 3);
    const metrics = [
      { key: 'p50', unit: 'µs', label: 'p50' },
      { key: 'p99', unit: 'µs', label: 'p99' },
    ] as const;
    return [
      {
        id: 'restart-latency/one_for_one',
        params: `${oneForOne} restarts of 1 child`,
        metrics,
        run: {
          raw: () => raw(1, oneForOne, 'one_for_one'),
          warden: () => warden(1, oneForOne, 'one_for_one'),
        },
      },
      {
        id: 'restart-latency/one_for_all-100',
        params: `${oneForAll} restarts of a group of 100`,
        metrics,
        run: {
          raw: () => raw(100, oneForAll, 'one_for_all'),
          warden: () => warden(100, oneForAll, 'one_for_all'),
        },
      },
    ];
  },
};

/** Where children report: starts (with their pid or handle) and answers. */
class Probe<H> {
  readonly handles: (H | undefined)[];
  #expected = 0;
  #started = 0;
  #allStarted: Deferred<void> = deferred();
  #answered: Deferred<void> = deferred();
  answers = 0;

  constructor(size: number) {
    this.handles = new Array(size).fill(undefined);
  }

  /** Resolves once `count` more children have started. */
  expectStarts(count: number): Promise<void> {
    this.#expected = count;
    this.#started = 0;
    this.#allStarted = deferred();
    return this.#allStarted.promise;
  }

  started(index: number, handle: H): void {
    this.handles[index] = handle;
    if (++this.#started === this.#expected) this.#allStarted.resolve();
  }

  expectAnswer(): Promise<void> {
    this.#answered = deferred();
    return this.#answered.promise;
  }

  answered(): void {
    this.answers++;
    this.#answered.resolve();
  }
}

/** Crashes child `index` `restarts` times (rotating the victim), returning p50 and p99 in µs. */
async function sampleRestarts<H>(
  probe: Probe<H>,
  restarts: number,
  crash: (handle: H) => void,
  ping: (handle: H) => void,
): Promise<Sample> {
  const size = probe.handles.length;
  const micros: number[] = [];
  for (let i = 0; i < restarts; i++) {
    const victim = (i * 37) % size;
    const starts = probe.expectStarts(size);
    const start = performance.now();
    crash(probe.handles[victim] as H);
    await starts;
    const answer = probe.expectAnswer();
    ping(probe.handles[victim] as H);
    await answer;
    micros.push((performance.now() - start) * 1000);
  }
  expectEqual('answers from replacements', probe.answers, restarts);
  micros.sort((a, b) => a - b);
  return { p50: percentile(micros, 50), p99: percentile(micros, 99) };
}

// ---- warden ------------------------------------------------------------------------------

interface ChildArgs {
  readonly index: number;
  readonly probe: Probe<Pid>;
}

const child = defineActor<ChildArgs, ChildArgs>({
  init: (args, ctx) => {
    args.probe.started(args.index, ctx.self);
    return args;
  },
  handleInfo: (message: 'crash' | 'ping', args) => {
    if (message === 'crash') throw new Error('crash');
    args.probe.answered();
    return args;
  },
});

async function warden(size: number, restarts: number, strategy: Strategy): Promise<Sample> {
  const node = createNode({ name: 'bench' });
  try {
    const probe = new Probe<Pid>(size);
    const children: ChildSpec[] = Array.from({ length: size }, (_, index) => ({
      id: `c${index}`,
      start: { behaviour: child, args: { index, probe } },
    }));
    const first = probe.expectStarts(size);
    // The benchmark crashes a child tens of thousands of times a second. A 1 ms window keeps the
    // restart history as short as a production supervisor's (a few entries) instead of thousands.
    await startSupervisor(node, { strategy, intensity: 1_000_000, period: 1, children });
    await first;
    return await sampleRestarts(
      probe,
      restarts,
      (pid) => node.send(pid, 'crash'),
      (pid) => node.send(pid, 'ping'),
    );
  } finally {
    await node.stop();
  }
}

// ---- raw ---------------------------------------------------------------------------------

async function raw(size: number, restarts: number, strategy: Strategy): Promise<Sample> {
  const probe = new Probe<RawActor<string>>(size);
  const handler = (message: string): void => {
    if (message === 'crash') throw new Error('crash');
    probe.answered();
  };
  const startChild = (index: number): void => {
    const actor = new RawActor(handler, () => onCrash(index));
    probe.started(index, actor);
  };
  const onCrash = (index: number): void => {
    if (strategy === 'one_for_one') {
      startChild(index);
      return;
    }
    for (let i = size - 1; i >= 0; i--) probe.handles[i]?.stop();
    for (let i = 0; i < size; i++) startChild(i);
  };
  const first = probe.expectStarts(size);
  for (let i = 0; i < size; i++) startChild(i);
  await first;
  return sampleRestarts(
    probe,
    restarts,
    (actor) => actor.send('crash'),
    (actor) => actor.send('ping'),
  );
}
