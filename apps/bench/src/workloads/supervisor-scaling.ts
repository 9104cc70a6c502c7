import {
  type ActorContext,
  countChildren,
  createNode,
  DownMessage,
  defineActor,
  startDynamicChild,
  startSupervisor,
} from '@warden/core';
import { BenchCheckError, expectEqual } from '../check.js';
import { type Case, deferred, type Sample, scaled, type Workload } from '../workload.js';

/**
 * A simple_one_for_one supervisor starts `n` dynamic children one `startDynamicChild` call at a
 * time (as OTP's start_child), then is shut down by its parent, which stops them all with one
 * shared shutdown timer. Run at 1,000 and at 100,000 children: the ratio of the two times says
 * whether the supervisor stays linear (100x work should take about 100x the time).
 */
export const supervisorScaling: Workload = {
  name: 'supervisor-scaling',
  title: 'Supervisor scaling: start and stop dynamic children',
  cases(scale: number): Case[] {
    return [
      { label: '1k', n: scaled(1000, scale), runs: 5 },
      { label: '100k', n: scaled(100_000, scale), runs: 3 },
    ].map(({ label, n, runs }) => ({
      id: `supervisor-scaling/${label}`,
      params: `${n} dynamic children`,
      metrics: [
        { key: 'ms', unit: 'ms', label: 'start+stop' },
        { key: 'startMs', unit: 'ms', label: 'start' },
        { key: 'stopMs', unit: 'ms', label: 'stop' },
      ],
      ops: n,
      runs,
      run: { warden: () => warden(n) },
    }));
  },
};

const worker = defineActor<null>({ init: () => null });

async function drive(ctx: ActorContext, n: number): Promise<Sample> {
  // The supervisor is linked to this driver; trap its exit so the DOWN can be awaited.
  ctx.trapExit(true);
  const sup = await startSupervisor(ctx, {
    strategy: 'simple_one_for_one',
    intensity: 1,
    period: 5000,
    children: [{ id: 'worker', start: { behaviour: worker } }],
  });
  if (typeof sup !== 'object') throw new BenchCheckError('supervisor did not start');
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const result = await startDynamicChild(ctx, sup);
    if (!result.ok) throw new BenchCheckError(`child ${i} did not start: ${result.error}`);
  }
  const started = performance.now();
  const counts = await countChildren(ctx, sup);
  expectEqual('active children', counts.active, n);
  const stopping = performance.now();
  const ref = ctx.monitor(sup);
  ctx.exit(sup, 'shutdown');
  const down = await ctx.receive((m) => m instanceof DownMessage && m.ref === ref);
  const stopped = performance.now();
  expectEqual('supervisor exit reason', (down as DownMessage).reason, 'shutdown');
  const startMs = started - start;
  const stopMs = stopped - stopping;
  return { ms: startMs + stopMs, startMs, stopMs };
}

async function warden(n: number): Promise<Sample> {
  const node = createNode({ name: 'bench' });
  try {
    const result = deferred<Sample>();
    node.spawn(async (ctx: ActorContext) => {
      try {
        result.resolve(await drive(ctx, n));
      } catch (error) {
        result.reject(error);
      }
    });
    const sample = await result.promise;
    await new Promise((resolve) => setImmediate(resolve));
    expectEqual('processes left', node.processes().length, 0);
    return sample;
  } finally {
    await node.stop();
  }
}
