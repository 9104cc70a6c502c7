// Issue 5.3: semaphore / bulkhead: max concurrent, bounded wait queue, typed rejection, abortable waiters.
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  isResilienceError,
  type Permit,
  type ResilienceEvent,
  Semaphore,
} from '../src/index.js';
import { thrown, track } from './settle.js';

describe('Semaphore', () => {
  it('grants up to maxConcurrent at once and queues the rest in FIFO order', async () => {
    const clock = new TestClock();
    const sem = new Semaphore({ clock, maxConcurrent: 2 });
    const a = await sem.acquire();
    const b = await sem.acquire();
    const order: string[] = [];
    const log = (name: string) => (p: Permit) => {
      order.push(name);
      return p;
    };
    const c = sem.acquire().then(log('c'));
    const d = sem.acquire().then(log('d'));
    await clock.settle();
    expect(sem.running).toBe(2);
    expect(sem.queued).toBe(2);
    a.release();
    await clock.settle();
    expect(order).toEqual(['c']);
    b.release();
    await clock.settle();
    expect(order).toEqual(['c', 'd']);
    (await c).release();
    (await d).release();
    expect(sem.running).toBe(0);
  });

  it('makes release idempotent, so a double release cannot widen the bulkhead', async () => {
    const sem = new Semaphore({ clock: new TestClock(), maxConcurrent: 1 });
    const p = await sem.acquire();
    p.release();
    p.release();
    expect(sem.running).toBe(0);
    expect(sem.tryAcquire()).toBeDefined();
    expect(sem.tryAcquire()).toBeUndefined();
  });

  it('rejects with ERR_BULKHEAD_FULL once the wait queue is full, and says so', async () => {
    const clock = new TestClock();
    const events: ResilienceEvent[] = [];
    const sem = bulkhead({ clock, maxConcurrent: 1, maxQueue: 1, observer: (e) => events.push(e) });
    await sem.acquire();
    track(sem.acquire());
    const out = track(sem.acquire());
    await clock.settle();
    expect(isResilienceError(out.error, 'ERR_BULKHEAD_FULL')).toBe(true);
    expect(events).toEqual([
      { type: 'bulkhead.rejected', time: 0, source: 'bulkhead', running: 1, queued: 1 },
    ]);
  });

  it('removes an aborted waiter from the queue at once', async () => {
    const clock = new TestClock();
    const sem = new Semaphore({ clock, maxConcurrent: 1 });
    const held = await sem.acquire();
    const caller = new AbortController();
    const out = track(sem.acquire({ signal: caller.signal }));
    expect(sem.queued).toBe(1);
    caller.abort();
    await clock.settle();
    expect(isResilienceError(out.error, 'ERR_ABORTED')).toBe(true);
    expect(sem.queued).toBe(0);
    held.release();
    expect(sem.running).toBe(0);
  });

  it('gives up a wait after timeoutMs on the clock', async () => {
    const clock = new TestClock();
    const sem = new Semaphore({ clock, maxConcurrent: 1 });
    await sem.acquire();
    const out = track(sem.acquire({ timeoutMs: 100 }));
    await clock.advance(100);
    expect(isResilienceError(out.error, 'ERR_BULKHEAD_FULL')).toBe(true);
    expect(sem.queued).toBe(0);
  });

  it('releases the slot however the work ends', async () => {
    const clock = new TestClock();
    const sem = new Semaphore({ clock, maxConcurrent: 1 });
    const out = track(sem.execute(() => Promise.reject(new Error('boom'))));
    await clock.settle();
    expect((out.error as Error).message).toBe('boom');
    expect(sem.running).toBe(0);
  });

  it('rejects a bad maxConcurrent naming it', () => {
    const error = thrown(() => new Semaphore({ clock: new TestClock(), maxConcurrent: 0 }));
    expect((error as { field: string }).field).toBe('maxConcurrent');
  });

  it('never exceeds maxConcurrent under any interleaving, with aborts (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.record({ steps: fc.integer({ min: 0, max: 3 }), abort: fc.boolean() }), {
          minLength: 1,
          maxLength: 12,
        }),
        async (s, maxConcurrent, jobs) => {
          const sem = new Semaphore({ clock: new TestClock(), maxConcurrent, maxQueue: 100 });
          let running = 0;
          let peak = 0;
          const all = jobs.map(async (job, i) => {
            const controller = new AbortController();
            if (job.abort) s.schedule(Promise.resolve(`abort ${i}`)).then(() => controller.abort());
            await s.schedule(Promise.resolve(`arrive ${i}`));
            return sem
              .execute(
                async () => {
                  running++;
                  peak = Math.max(peak, running);
                  expect(sem.running).toBeLessThanOrEqual(maxConcurrent);
                  for (let k = 0; k < job.steps; k++)
                    await s.schedule(Promise.resolve(`step ${i}.${k}`));
                  running--;
                },
                { signal: controller.signal },
              )
              .catch((e: unknown) => {
                if (!isResilienceError(e, 'ERR_ABORTED')) throw e;
              });
          });
          await s.waitFor(Promise.all(all));
          expect(peak).toBeLessThanOrEqual(maxConcurrent);
          expect(sem.running).toBe(0);
          expect(sem.queued).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
