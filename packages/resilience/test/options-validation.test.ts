// Issue 5, bad input: every option of every piece is validated when the piece is made, with an
// ERR_INVALID_OPTION that names the field (negative rates, zero capacities, NaN timeouts, wrong
// types). The happy path of each piece is tested beside it; here each bad value must be refused.
import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  DeadLetterQueue,
  DegradationLadder,
  FeatureFlags,
  isResilienceError,
  publishTo,
  ResourceMediator,
  RetryBudget,
  retry,
  Semaphore,
  SpawnOnceGuard,
  TokenBucket,
  timeout,
  Watchdog,
  wrap,
} from '../src/index.js';
import { thrown } from './settle.js';

const clock = new TestClock();
const node: Node = createNode({ name: 'validation', clock });
const sup = node.spawn(async (ctx) => {
  await ctx.receive();
});
const NaN_ = Number.NaN;
const INF = Number.POSITIVE_INFINITY;

/** Every piece's options with one field bad; the observer and name of each piece too. */
type Case = readonly [piece: string, field: string, make: () => unknown];

const observed = (piece: string, make: (extra: object) => unknown): Case[] => [
  [piece, 'observer', () => make({ observer: 'console.log' })],
  [piece, 'name', () => make({ name: '' })],
];

const r = (o: object) => retry({ clock, ...o } as never);
const b = (o: object) => new RetryBudget({ clock, ...o } as never);
const sem = (o: object) => new Semaphore({ clock, maxConcurrent: 2, ...o } as never);
const tb = (o: object) => new TokenBucket({ clock, ratePerSecond: 1, burst: 1, ...o } as never);
const med = (o: object) => new ResourceMediator({ clock, ...o } as never);
const guard = (o: object) => new SpawnOnceGuard({ node, supervisor: sup, ...o } as never);
const ladder = (o: object) =>
  new DegradationLadder({ clock, levels: [{ name: 'a', serve: () => 1 }], ...o } as never);
const flags = (o: object) => new FeatureFlags({ clock, flags: { x: true }, ...o } as never);
const dlq = (o: object) => new DeadLetterQueue({ clock, ...o } as never);

const CASES: readonly Case[] = [
  ['retry', 'clock', () => retry({ clock: {} } as never)],
  ['retry', 'maxAttempts', () => r({ maxAttempts: 0 })],
  ['retry', 'maxAttempts', () => r({ maxAttempts: NaN_ })],
  ['retry', 'maxAttempts', () => r({ maxAttempts: 2.5 })],
  ['retry', 'maxAttempts', () => r({ maxAttempts: INF })], // endless without a deadline
  ['retry', 'baseMs', () => r({ baseMs: -1 })],
  ['retry', 'baseMs', () => r({ baseMs: NaN_ })],
  ['retry', 'maxDelayMs', () => r({ maxDelayMs: NaN_ })],
  ['retry', 'maxDelayMs', () => r({ baseMs: 100, maxDelayMs: 10 })],
  ['retry', 'jitter', () => r({ jitter: 'random' })],
  ['retry', 'deadlineMs', () => r({ deadlineMs: 0 })],
  ['retry', 'deadlineMs', () => r({ deadlineMs: NaN_ })],
  ['retry', 'classify', () => r({ classify: 'transient' })],
  ['retry', 'budget', () => r({ budget: {} })],
  ['retry', 'random', () => r({ random: 0.5 })],
  ['retry', 'wallClock', () => r({ wallClock: 'now' })],
  ...observed('retry', r),
  ['retry budget', 'ratio', () => b({ ratio: -0.1 })],
  ['retry budget', 'ratio', () => b({ ratio: NaN_ })],
  ['retry budget', 'minRetries', () => b({ minRetries: -1 })],
  ['retry budget', 'windowMs', () => b({ windowMs: 0 })],
  ['retry budget', 'windowMs', () => b({ windowMs: NaN_ })],
  ['retry budget', 'slots', () => b({ slots: 0 })],
  ...observed('retry budget', b),
  ['timeout', 'timeoutMs', () => timeout(-1, { clock })],
  ['timeout', 'timeoutMs', () => timeout(NaN_, { clock })],
  ['timeout', 'clock', () => timeout(10, {} as never)],
  ...observed('timeout', (o) => timeout(10, { clock, ...o } as never)),
  ['semaphore', 'maxConcurrent', () => sem({ maxConcurrent: 0 })],
  ['semaphore', 'maxConcurrent', () => sem({ maxConcurrent: NaN_ })],
  ['semaphore', 'maxConcurrent', () => sem({ maxConcurrent: -2 })],
  ['semaphore', 'maxQueue', () => sem({ maxQueue: -1 })],
  ['semaphore', 'maxQueue', () => sem({ maxQueue: NaN_ })],
  ...observed('semaphore', sem),
  ['token bucket', 'ratePerSecond', () => tb({ ratePerSecond: 0 })],
  ['token bucket', 'ratePerSecond', () => tb({ ratePerSecond: -5 })],
  ['token bucket', 'ratePerSecond', () => tb({ ratePerSecond: NaN_ })],
  ['token bucket', 'ratePerSecond', () => tb({ ratePerSecond: INF })],
  ['token bucket', 'burst', () => tb({ burst: 0 })],
  ['token bucket', 'burst', () => tb({ burst: NaN_ })],
  ['token bucket', 'maxWaitMs', () => tb({ maxWaitMs: -1 })],
  ['token bucket', 'maxWaitMs', () => tb({ maxWaitMs: NaN_ })],
  ['token bucket', 'maxQueue', () => tb({ maxQueue: -1 })],
  ...observed('token bucket', tb),
  ['mediator', 'clock', () => new ResourceMediator({} as never)],
  ['mediator', 'timeoutMs', () => med({ timeoutMs: -1 })],
  ['mediator', 'timeoutMs', () => med({ timeoutMs: NaN_ })],
  ['mediator', 'resources', () => med({ resources: 'memory' })],
  ['mediator', 'resources[]', () => med({ resources: [''] })],
  ['mediator', 'node', () => med({ node: {} })],
  ...observed('mediator', med),
  ['spawn-once', 'node', () => new SpawnOnceGuard({ node: {}, supervisor: sup } as never)],
  ['spawn-once', 'supervisor', () => guard({ supervisor: undefined })],
  ['spawn-once', 'policy', () => guard({ policy: 'merge' })],
  ['spawn-once', 'ceilings', () => guard({ ceilings: 5 })],
  ['spawn-once', 'ceilings.sync', () => guard({ ceilings: { sync: 0 } })],
  ['spawn-once', 'ceilings.sync', () => guard({ ceilings: { sync: NaN_ } })],
  ['spawn-once', 'recheckMs', () => guard({ recheckMs: 0 })],
  ...observed('spawn-once', guard),
  ['ladder', 'clock', () => new DegradationLadder({ levels: [] } as never)],
  ['ladder', 'queueCapacity', () => ladder({ queueCapacity: 0 })],
  ['ladder', 'queueCapacity', () => ladder({ queueCapacity: NaN_ })],
  ['ladder', 'maxReplays', () => ladder({ maxReplays: 0 })],
  [
    'ladder',
    'levels[0].health',
    () => ladder({ levels: [{ name: 'a', health: {}, serve: () => 1 }] }),
  ],
  ...observed('ladder', ladder),
  ['flags', 'flags', () => flags({ flags: null })],
  ['flags', 'flags.x', () => flags({ flags: { x: 'yes' } })],
  ...observed('flags', flags),
  ['dead letters', 'clock', () => new DeadLetterQueue({} as never)],
  ['dead letters', 'handler', () => dlq({ handler: 'send' })],
  ['dead letters', 'capacity', () => dlq({ capacity: 0 })],
  ['dead letters', 'capacity', () => dlq({ capacity: NaN_ })],
  ['dead letters', 'overflow', () => dlq({ overflow: 'drop-random' })],
  ['dead letters', 'store', () => dlq({ store: new Map() })],
  ...observed('dead letters', dlq),
  ['wrap', 'policies[1]', () => wrap(timeout(10, { clock }), {} as never)],
  ['publishTo', 'node', () => publishTo({} as never)],
  ['publishTo', 'also', () => publishTo(node, 'x' as never)],
];

describe('every option is validated, naming the field', () => {
  it.each(CASES)('%s: rejects a bad %s', (_piece, field, make) => {
    const error = thrown(make);
    expect(isResilienceError(error, 'ERR_INVALID_OPTION')).toBe(true);
    expect((error as { field: string }).field).toBe(field);
    expect((error as Error).message).toContain(field);
  });

  it.each([
    ['timeoutMs', { timeoutMs: 0 }],
    ['timeoutMs', { timeoutMs: NaN_ }],
    ['graceMs', { timeoutMs: 10, graceMs: -1 }],
    ['graceMs', { timeoutMs: 10, graceMs: NaN_ }],
    ['stopReason', { timeoutMs: 10, stopReason: 42 }],
    ['observer', { timeoutMs: 10, observer: 'x' }],
  ])('watchdog: refuses to start with a bad %s', async (field, args) => {
    // init fails: the start fails with ERR_START_FAILED, whose exit reason carries our error
    const error = await node.start(Watchdog, { args: args as never }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_START_FAILED' });
    const reason = (error as { reason: { code?: string; cause?: unknown } }).reason;
    expect(reason.code).toBe('ERR_INVALID_OPTION');
    expect(isResilienceError(reason.cause, 'ERR_INVALID_OPTION')).toBe(true);
    expect((reason.cause as { field: string }).field).toBe(field);
  });
});
