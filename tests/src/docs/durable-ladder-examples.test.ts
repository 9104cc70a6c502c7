/**
 * The durable queue example of docs/patterns/degradation.md, as a region that runs and passes
 * (docs-examples.test.ts holds the docs block to it word for word): a ladder on a store that an
 * earlier ladder filled takes its queue over and replays it to onReplayed.
 */
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker } from '@warden/machines';
import {
  DeadLetterQueue,
  DegradationLadder,
  MemoryQueueStore,
  type QueueStore,
} from '@warden/resilience';
import { describe, expect, it } from 'vitest';

describe('durable ladder docs example', () => {
  it('a restarted ladder replays what the last one queued (degradation.md)', async () => {
    const clock = new TestClock();
    const model = { answer: async (q: string, _signal: AbortSignal) => `model: ${q}` };
    const breaker = new CircuitBreaker({ clock, failure: { threshold: 3 } });
    const store: QueueStore<string> = new MemoryQueueStore<string>();
    const deadLetters = new DeadLetterQueue<string>({ clock });
    const delivered: string[] = [];
    const deliver = (question: string, answer: string): void => {
      delivered.push(`${question} -> ${answer}`);
    };

    // the run before the restart: the model was down, 'hello' was queued
    const before = new DegradationLadder<string, string>({
      clock,
      store,
      onReplayed: () => {},
      levels: [
        { name: 'model', health: breaker, serve: () => Promise.reject(new Error('down')) },
        { name: 'later', queue: true },
      ],
    });
    await before.restore();
    breaker.isolate();
    expect(await before.execute('hello')).toMatchObject({ queued: true });
    before.close();

    // #region durable-ladder
    const ladder = new DegradationLadder<string, string>({
      clock,
      store, // any QueueStore; an AgentStore's queue('answers') keeps it in SQLite or PostgreSQL
      onReplayed: async (r) => {
        if (r.ok) deliver(r.request, r.answer.value);
        else await deadLetters.record({ input: r.request, error: r.error }); // then it is forgotten
      },
      levels: [
        { name: 'model', health: breaker, serve: (q, { signal }) => model.answer(q, signal) },
        { name: 'later', queue: true },
      ],
    });
    const restored = await ladder.restore(); // before it queues anything: 1 request taken over
    // #endregion
    expect(restored).toBe(1);
    breaker.reset(); // the model is back: 'hello' is replayed, to onReplayed
    await clock.settle();
    expect(delivered).toEqual(['hello -> model: hello']);
    expect(await store.size()).toBe(0);
    expect(await deadLetters.list()).toEqual([]);
    ladder.close();
  });
});
