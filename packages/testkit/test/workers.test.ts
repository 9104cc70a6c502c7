import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  checkSystem,
  faultSchedule,
  isTestkitError,
  SystemCheckFailure,
  singleInstance,
} from '../src/index.js';

// Worker threads load JavaScript only, and the testkit's worker entry from its build output:
// these tests need `tsc -b` first, as `npm test` runs it.
const counter = { module: new URL('./workers/counter.mjs', import.meta.url) };
const lossy = { module: new URL('./workers/lossy-counter.mjs', import.meta.url) };

const faults = faultSchedule({
  names: ['counter'],
  labels: ['counter'],
  kinds: ['crash', 'crash-on-message', 'slow'],
  randomCrashes: false,
  horizonMs: 4_000,
  maxDurationMs: 1_000,
});
// Workers load the built JavaScript: without vitest's `--conditions source`.
const timing = { horizonMs: 4_000, quietMs: 20_000, workerExecArgv: [] };

describe('checkSystem in worker threads', () => {
  it('passes a system module that keeps its invariants, over every run', async () => {
    const report = await checkSystem(counter, { faults, ...timing, runs: 60, workers: 2 });
    expect(report.runs).toBe(60);
  }, 60_000);

  it('finds the same first failing run and shrinks it as one thread does', async () => {
    const options = { faults, ...timing, runs: 100, seed: 42 };
    const one = await checkSystem(lossy, options).catch((error: unknown) => error);
    const two = await checkSystem(lossy, { ...options, workers: 2 }).catch((e: unknown) => e);
    expect(one).toBeInstanceOf(SystemCheckFailure);
    expect(two).toBeInstanceOf(SystemCheckFailure);
    const [a, b] = [one as SystemCheckFailure, two as SystemCheckFailure];
    expect(b.violation.invariant).toBe('every request answered');
    expect(b.seed).toBe(a.seed);
    expect(b.path).toBe(a.path);
    expect(b.schedule).toEqual(a.schedule);
    expect(b.simulationSeed).toBe(a.simulationSeed);
    expect(b.timeline).toBe(a.timeline);
    expect(b.message).toBe(a.message);
  }, 60_000);

  it('answers two checks of one module at once, and again on the threads they leave', async () => {
    const options = { faults, ...timing, runs: 100, seed: 42, workers: 2 };
    const [a, b] = await Promise.all([
      checkSystem(lossy, options).catch((error: unknown) => error),
      checkSystem(lossy, options).catch((error: unknown) => error),
    ]);
    const c = await checkSystem(lossy, options).catch((error: unknown) => error);
    for (const failure of [a, b, c]) expect(failure).toBeInstanceOf(SystemCheckFailure);
    const paths = [a, b, c].map((f) => (f as SystemCheckFailure).path);
    expect(new Set(paths).size).toBe(1);
  }, 60_000);

  it('runs the next check of a module on the threads the last one left', async () => {
    const announced = { module: new URL('./workers/announced-counter.mjs', import.meta.url) };
    const loads: unknown[] = [];
    const channel = new BroadcastChannel('warden-testkit-worker-loads');
    channel.onmessage = (event) => loads.push((event as MessageEvent).data);
    try {
      const options = { faults, ...timing, runs: 20, workers: 2 };
      await checkSystem(announced, options);
      await checkSystem(announced, options);
      await checkSystem(announced, options);
      expect(new Set(loads).size).toBe(2);
      expect(loads).toHaveLength(2);
    } finally {
      channel.close();
    }
  }, 60_000);

  it('takes the module as a file path too', async () => {
    const path = fileURLToPath(lossy.module);
    const failure = await checkSystem(
      { module: path },
      { faults, ...timing, seed: 7, workers: 2 },
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SystemCheckFailure);
  }, 60_000);

  it('refuses workers without a module, invariants beside one, and a module that lacks them', async () => {
    const setup = () => {};
    const refused = async (run: () => Promise<unknown>, field: string) => {
      const error = await run().catch((e: unknown) => e);
      expect(isTestkitError(error, 'ERR_INVALID_OPTION'), String(error)).toBe(true);
      expect((error as { field?: string }).field).toBe(field);
    };
    await refused(() => checkSystem(setup, { faults, invariants: [], workers: 2 }), 'workers');
    await refused(() => checkSystem(counter, { faults, workers: 0 }), 'workers');
    const argv = ['--conditions', 7] as unknown as string[];
    await refused(() => checkSystem(counter, { faults, workerExecArgv: argv }), 'workerExecArgv');
    await refused(
      () => checkSystem(counter, { faults, invariants: [singleInstance()], workers: 2 }),
      'invariants',
    );
    const empty = { module: new URL('./workers/counter-system.mjs', import.meta.url) };
    await refused(() => checkSystem(empty, { faults, workers: 2 }), 'module');
    const missing = { module: new URL('./workers/no-such-system.mjs', import.meta.url) };
    await refused(() => checkSystem(missing, { faults, workers: 2 }), 'module');
  });
});
