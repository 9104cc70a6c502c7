/**
 * The resilience pieces that hold work (a degradation ladder's queue level, a dead-letter queue
 * and its recovery ledger) keep it in an AgentStore's SQLite file, so a restarted process (a new
 * connection to the same file) takes it over: the ladder replays what the last one queued, in
 * order, and the dead letters are still there to inspect and replay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker } from '@warden/machines';
import { DeadLetterQueue, DegradationLadder } from '@warden/resilience';
import { openSqliteStore } from '@warden/store-sqlite';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'warden-resilience-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('resilience state in SQLite', () => {
  it('a ladder in a restarted process replays, in order, what the last one queued', async () => {
    const path = join(dir, 'ladder.db');
    const clock = new TestClock();
    const breaker = new CircuitBreaker({ clock, failure: { threshold: 1 } });
    breaker.isolate();
    const first = await openSqliteStore({ path });
    const before = new DegradationLadder<string, string>({
      clock,
      store: first.queue<string>('answers'),
      onReplayed: () => {},
      levels: [
        { name: 'model', health: breaker, serve: () => Promise.reject(new Error('down')) },
        { name: 'later', queue: true },
      ],
    });
    await before.restore();
    for (const q of ['a', 'b', 'c']) {
      expect(await before.execute(q)).toMatchObject({ queued: true });
    }
    before.close();
    await first.close(); // the process ends with three requests accepted and not yet served

    const second = await openSqliteStore({ path });
    const replayed: string[] = [];
    const ladder = new DegradationLadder<string, string>({
      clock,
      store: second.queue<string>('answers'),
      onReplayed: (r) => {
        if (r.ok) replayed.push(`${r.request}=${r.answer.value}`);
      },
      levels: [
        { name: 'model', health: breaker, serve: async (q) => q.toUpperCase() },
        { name: 'later', queue: true },
      ],
    });
    expect(await ladder.restore()).toBe(3);
    breaker.reset();
    await clock.settle();
    for (let i = 0; i < 10 && replayed.length < 3; i++) await clock.advance(1_000);
    expect(replayed).toEqual(['a=A', 'b=B', 'c=C']);
    expect(await second.queue('answers').size()).toBe(0);
    ladder.close();
    await second.close();
  });

  it('dead letters and their ledger outlive the process, and replay from a new one', async () => {
    const path = join(dir, 'dead-letters.db');
    const clock = new TestClock();
    const first = await openSqliteStore({ path });
    const failing = new DeadLetterQueue<{ ticket: number }, string>({
      clock,
      store: first.deadLetters<{ ticket: number }>('refunds'),
      handler: () => {
        throw new Error('refunds desk unreachable');
      },
    });
    await failing.run({ ticket: 7 }).catch(() => undefined);
    const [entry] = await failing.list();
    expect(entry).toMatchObject({
      input: { ticket: 7 },
      reason: 'Error: refunds desk unreachable',
    });
    await first.close();

    const second = await openSqliteStore({ path });
    const healed = new DeadLetterQueue<{ ticket: number }, string>({
      clock,
      store: second.deadLetters<{ ticket: number }>('refunds'),
      handler: ({ ticket }) => `refunded ${ticket}`,
    });
    const kept = await healed.inspect(entry?.id as string);
    expect(kept.history.map((h) => h.action)).toEqual(['recorded']);
    expect(await healed.replay(entry?.id as string)).toMatchObject({
      replayed: [entry?.id],
      failed: [],
    });
    expect(await healed.list()).toEqual([]);
    await second.close();
  });
});
