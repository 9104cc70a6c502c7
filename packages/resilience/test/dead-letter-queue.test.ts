// Issue 5.9: the dead-letter queue and recovery ledger.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  type DeadLetterEntry,
  DeadLetterQueue,
  isResilienceError,
  MemoryDeadLetterStore,
  ResilienceError,
  type ResilienceEvent,
  retry,
} from '../src/index.js';

interface Job {
  readonly to: string;
}

function setup(capacity = 10, overflow: 'drop-oldest' | 'drop-newest' = 'drop-oldest') {
  const clock = new TestClock();
  const events: ResilienceEvent[] = [];
  let down = true;
  const delivered: string[] = [];
  const dlq = new DeadLetterQueue<Job, string>({
    clock,
    capacity,
    overflow,
    observer: (e) => events.push(e),
    handler: (job) => {
      if (down) throw Object.assign(new Error('mail server down'), { code: 'ECONNREFUSED' });
      delivered.push(job.to);
      return `sent to ${job.to}`;
    },
  });
  return { clock, dlq, events, delivered, recover: () => (down = false) };
}

describe('dead-letter queue: recording', () => {
  it('records failed work with its reason, input, attempts and trace id, and rethrows', async () => {
    const { dlq, events } = setup();
    const error = await dlq.run({ to: 'ada' }, { traceId: 't-1' }).catch((e: unknown) => e);
    expect((error as { code: string }).code).toBe('ECONNREFUSED');
    const [entry] = await dlq.list();
    expect(entry).toMatchObject({
      traceId: 't-1',
      input: { to: 'ada' },
      reason: 'ECONNREFUSED: mail server down',
      code: 'ECONNREFUSED',
      attempts: 1,
      replays: 0,
    });
    expect(await dlq.inspect((entry as DeadLetterEntry<Job>).id)).toEqual(entry);
    expect(events.map((e) => e.type)).toEqual(['deadletter.recorded']);
  });

  it('takes the attempt count from a retry that gave up', async () => {
    const clock = new TestClock();
    const policy = retry({ clock, maxAttempts: 3, baseMs: 1 });
    const dlq = new DeadLetterQueue<string, string>({
      clock,
      handler: () =>
        policy.execute(() => {
          throw Object.assign(new Error('reset'), { code: 'ECONNRESET' });
        }),
    });
    const run = dlq.run('job').catch(() => {});
    await clock.advance(100);
    await run;
    expect((await dlq.list())[0]).toMatchObject({ attempts: 3, code: 'ERR_RETRIES_EXHAUSTED' });
  });

  it('fails inspect of an unknown id with ERR_NOT_FOUND', async () => {
    const { dlq } = setup();
    await expect(dlq.inspect('nope')).rejects.toMatchObject({ code: 'ERR_NOT_FOUND' });
  });
});

describe('dead-letter queue: bounds', () => {
  it('drops the oldest entry past capacity and counts it', async () => {
    const { dlq, events } = setup(2);
    for (const to of ['a', 'b', 'c']) await dlq.run({ to }).catch(() => {});
    expect((await dlq.list()).map((e) => e.input.to)).toEqual(['b', 'c']);
    expect(dlq.stats.overflowed).toBe(1);
    expect(events.filter((e) => e.type === 'deadletter.overflow')).toHaveLength(1);
  });

  it('can drop the newest instead, still counted', async () => {
    const { dlq } = setup(2, 'drop-newest');
    for (const to of ['a', 'b', 'c']) await dlq.run({ to }).catch(() => {});
    expect((await dlq.list()).map((e) => e.input.to)).toEqual(['a', 'b']);
    expect(dlq.stats).toMatchObject({ recorded: 2, overflowed: 1 });
  });

  it('never overruns the bound with concurrent records', async () => {
    const { dlq } = setup(3);
    await Promise.all(
      ['a', 'b', 'c', 'd', 'e', 'f'].map((to) =>
        dlq.record({ input: { to }, error: new Error('x') }),
      ),
    );
    expect(await dlq.list()).toHaveLength(3);
    expect(dlq.stats.overflowed).toBe(3);
  });
});

describe('dead-letter queue: replay and purge', () => {
  it('keeps an entry whose replay fails, with one more attempt and a ledger line', async () => {
    const { dlq } = setup();
    await dlq.run({ to: 'ada' }).catch(() => {});
    const [entry] = await dlq.list();
    const report = await dlq.replay((entry as DeadLetterEntry<Job>).id);
    expect(report.failed).toHaveLength(1);
    const after = await dlq.inspect((entry as DeadLetterEntry<Job>).id);
    expect(after).toMatchObject({ attempts: 2, replays: 1 });
    expect(after.history.map((h) => h.action)).toEqual(['recorded', 'replay_failed']);
  });

  it('replays through the same handler, oldest first, and removes what succeeds', async () => {
    const { dlq, delivered, recover } = setup();
    for (const to of ['a', 'b', 'c']) await dlq.run({ to }).catch(() => {});
    recover();
    const report = await dlq.replay((e) => e.input.to !== 'b');
    expect(delivered).toEqual(['a', 'c']);
    expect(report.replayed).toHaveLength(2);
    expect((await dlq.list()).map((e) => e.input.to)).toEqual(['b']);
    expect(dlq.stats.replayed).toBe(2);
  });

  it('never replays one entry twice at once: a concurrent replay skips it', async () => {
    const clock = new TestClock();
    const runs: string[] = [];
    let release: (() => void) | undefined;
    const dlq = new DeadLetterQueue<string>({
      clock,
      handler: (job) => {
        runs.push(job);
        return new Promise<void>((resolve) => (release = resolve)); // the first replay hangs on
      },
    });
    const { id } = await dlq.record({ input: 'job', error: new Error('x') });
    const first = dlq.replay(id);
    await clock.settle();
    const second = await dlq.replay(id);
    expect(second).toEqual({ replayed: [], failed: [], skipped: [id] });
    release?.();
    expect(await first).toEqual({ replayed: [id], failed: [], skipped: [] });
    expect(runs).toEqual(['job']);
  });

  it('purges by filter and counts what it purged', async () => {
    const { dlq, events } = setup();
    await dlq.run({ to: 'a' }, { traceId: 'keep' }).catch(() => {});
    await dlq.run({ to: 'b' }, { traceId: 'drop' }).catch(() => {});
    expect(await dlq.purge({ traceId: 'drop' })).toBe(1);
    expect((await dlq.list()).map((e) => e.traceId)).toEqual(['keep']);
    expect(await dlq.purge()).toBe(1);
    expect(dlq.stats.purged).toBe(2);
    expect(events.filter((e) => e.type === 'deadletter.purged')).toHaveLength(2);
  });

  it('persists through the store interface it is given', async () => {
    const clock = new TestClock();
    const store = new MemoryDeadLetterStore<string>();
    const first = new DeadLetterQueue<string>({ clock, store });
    await first.record({ input: 'job', error: new ResilienceError('ERR_TIMEOUT', 'slow') });
    const second = new DeadLetterQueue<string>({ clock, store }); // e.g. after a restart
    expect((await second.list()).map((e) => [e.input, e.code])).toEqual([['job', 'ERR_TIMEOUT']]);
  });

  it('refuses to run or replay without a handler, naming it', async () => {
    const dlq = new DeadLetterQueue<string>({ clock: new TestClock() });
    const error = await dlq.run('x').catch((e: unknown) => e);
    expect(isResilienceError(error, 'ERR_INVALID_OPTION')).toBe(true);
    expect((error as { field: string }).field).toBe('handler');
  });
});
