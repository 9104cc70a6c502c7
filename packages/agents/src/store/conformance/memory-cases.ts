import assert from 'node:assert/strict';
import type { MemoryEntry } from '../memory-store.js';
import { type ConformanceCase, withStore } from './conformance-case.js';

const ranking: ConformanceCase = {
  name: "searches a thread's memory best first: the whole query, then more of its words, then the earlier step",
  run: (open) =>
    withStore(open, async (store) => {
      const entry = (step: number, text: string, threadId = 'm'): MemoryEntry => ({
        threadId,
        step,
        text,
      });
      const phrase = entry(5, 'user: the customer asked for an Invoice Refund today');
      const both = entry(2, 'tool returned {"refund":"issued","invoice":"closed"}');
      const late = entry(9, 'assistant: invoice sent');
      const early = entry(1, 'user: refund policy, ünïcödé 🧾');
      const none = entry(3, 'assistant: the weather is nice');
      await store.memory.put([phrase, both]);
      await store.memory.put([late, early, none, entry(0, 'invoice refund', 'other')]);
      const search = (query: string, limit: number, threadId = 'm') =>
        store.memory.search(threadId, query, limit);
      assert.deepStrictEqual(await search('invoice refund', 10), [phrase, both, early, late]);
      assert.deepStrictEqual(await search('INVOICE refund', 2), [phrase, both]);
      assert.deepStrictEqual(await search('policy', 10), [early]);
      assert.deepStrictEqual(await search('zebra', 10), []);
      assert.deepStrictEqual(await search('', 3), [early, both, none]);
      assert.deepStrictEqual(await search('invoice', 10, 'nobody'), []);
      assert.deepStrictEqual(await search('refund', 10, 'other'), [
        entry(0, 'invoice refund', 'other'),
      ]);
    }),
};

export const MEMORY_CASES: readonly ConformanceCase[] = [ranking];
