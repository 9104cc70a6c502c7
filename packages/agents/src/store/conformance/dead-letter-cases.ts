import assert from 'node:assert/strict';
import type { DeadLetterEntry, QueuedRequest } from '@warden/resilience';
import { type ConformanceCase, withStore } from './conformance-case.js';

function letter(id: string, extra: Partial<DeadLetterEntry> = {}): DeadLetterEntry {
  return {
    id,
    traceId: `trace-${id}`,
    input: { order: id, lines: [{ sku: 'α-1', qty: 2 }] },
    reason: 'retries exhausted',
    code: 'ERR_RETRIES_EXHAUSTED',
    attempts: 3,
    replays: 0,
    recordedAt: 1_000,
    history: [{ time: 1_000, action: 'recorded', reason: 'retries exhausted' }],
    ...extra,
  };
}

const deadLetters: ConformanceCase = {
  name: 'keeps dead letters per queue, oldest first, a put of a known id replacing it in place',
  run: (open) =>
    withStore(open, async (store) => {
      const dlq = store.deadLetters('payments');
      const a = letter('a');
      const b = letter('b', { code: undefined, input: 'plain text' });
      const c = letter('c', { input: null });
      for (const e of [a, b, c]) await dlq.put(e);
      assert.deepStrictEqual(await dlq.list(), [a, b, c]);
      assert.equal(await dlq.size(), 3);
      assert.deepStrictEqual(await dlq.get('b'), b);
      const replayed = letter('b', {
        replays: 1,
        attempts: 4,
        history: [...b.history, { time: 2_000, action: 'replay_failed', reason: 'still down' }],
      });
      await dlq.put(replayed);
      assert.deepStrictEqual(await dlq.list(), [a, replayed, c]);
      assert.equal(await dlq.size(), 3);
      assert.equal(await dlq.delete('a'), true);
      assert.equal(await dlq.delete('a'), false);
      assert.equal(await dlq.get('a'), undefined);
      const d = letter('d');
      await dlq.put(d);
      await dlq.put(a);
      assert.deepStrictEqual(await dlq.list(), [replayed, c, d, a]);
      const other = store.deadLetters('emails');
      assert.deepStrictEqual(await other.list(), []);
      assert.equal(await other.size(), 0);
      assert.equal(await other.get('c'), undefined);
      assert.deepStrictEqual(await store.deadLetters('payments').list(), [replayed, c, d, a]);
    }),
};

const queue: ConformanceCase = {
  name: 'keeps queued requests per queue, oldest first, a put of a known id replacing it in place',
  run: (open) =>
    withStore(open, async (store) => {
      const q = store.queue<{ prompt: string }>('ladder:summaries');
      const item = (id: string, at: number, replays = 0): QueuedRequest<{ prompt: string }> => ({
        id,
        request: { prompt: `summarise ${id} — ✓` },
        at,
        replays,
      });
      for (const i of [item('r1', 10), item('r2', 20), item('r3', 30)]) await q.put(i);
      assert.deepStrictEqual(await q.list(), [item('r1', 10), item('r2', 20), item('r3', 30)]);
      assert.equal(await q.size(), 3);
      await q.put(item('r1', 10, 1));
      assert.deepStrictEqual(await q.list(), [item('r1', 10, 1), item('r2', 20), item('r3', 30)]);
      assert.equal(await q.delete('r2'), true);
      assert.equal(await q.delete('r2'), false);
      await q.put(item('r4', 40));
      assert.deepStrictEqual(await q.list(), [item('r1', 10, 1), item('r3', 30), item('r4', 40)]);
      assert.equal(await q.size(), 3);
      assert.deepStrictEqual(await store.queue('ladder:other').list(), []);
      assert.equal(await store.queue('ladder:other').size(), 0);
    }),
};

export const HELD_WORK_CASES: readonly ConformanceCase[] = [deadLetters, queue];
