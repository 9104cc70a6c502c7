import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CompactionStrategy, compact } from '../../src/context/compaction.js';
import { ContextLedger } from '../../src/context/context-ledger.js';
import { tokenizerFor } from '../../src/context/tokenizer.js';
import type { Message } from '../../src/model/message.js';
import { MemoryMemoryStore } from '../../src/store/memory-store.js';

const tokenizer = tokenizerFor('o200k_base');
const TASK: Message = {
  role: 'user',
  content: [
    { type: 'text', text: 'Triage the 20 tickets in queue B; escalate refunds over $500.' },
  ],
};

/** A step of a tool-heavy run: the model's call, then its (large) result. */
function step(i: number, size: number): Message[] {
  return [
    {
      role: 'assistant',
      content: [{ type: 'tool-call', callId: `c${i}`, name: 'read', input: { i } }],
    },
    {
      role: 'tool',
      content: [
        {
          type: 'tool-result',
          callId: `c${i}`,
          name: 'read',
          output: `ticket ${i}: ${'lorem '.repeat(size)}`,
        },
      ],
    },
  ];
}

const strategiesArb = fc.subarray(
  ['clear-tool-results', 'offload', 'summarise'] as CompactionStrategy[],
  {
    minLength: 1,
  },
);

describe('compaction', () => {
  it('keeps the task anchor verbatim, the running count exact and no result without its call, through any compactions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            steps: fc.integer({ min: 1, max: 6 }),
            size: fc.integer({ min: 1, max: 300 }),
          }),
          {
            minLength: 1,
            maxLength: 12,
          },
        ),
        strategiesArb,
        fc.integer({ min: 0, max: 8 }),
        async (rounds, strategies, keepRecent) => {
          const ledger = new ContextLedger(tokenizer, 'system prompt');
          ledger.append(TASK);
          const memory = new MemoryMemoryStore();
          let n = 0;
          for (const round of rounds) {
            for (let s = 0; s < round.steps; s++)
              for (const m of step(n++, round.size)) ledger.append(m);
            await compact(
              {
                ledger,
                target: 200,
                keepRecent,
                threadId: 't',
                step: n,
                memory,
                summarise: async (messages) => `summary of ${messages.length} messages`,
              },
              strategies,
            );
            expect(ledger.messages[0]).toBe(TASK);
            expect(ledger.tokens).toBe(ledger.recount());
            const calls = new Set<string>();
            for (const message of ledger.messages) {
              for (const part of message.content) {
                if (part.type === 'tool-call') calls.add(part.callId);
                if (part.type === 'tool-result') expect(calls.has(part.callId)).toBe(true);
              }
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('clears old tool results first, keeping that each call happened and how it went', async () => {
    const ledger = new ContextLedger(tokenizer);
    ledger.append(TASK);
    for (let i = 0; i < 5; i++) for (const m of step(i, 500)) ledger.append(m);
    const before = ledger.tokens;
    const report = await compact(
      {
        ledger,
        target: before / 2,
        keepRecent: 2,
        threadId: 't',
        step: 5,
        memory: new MemoryMemoryStore(),
        summarise: async () => 'unused',
      },
      ['clear-tool-results', 'offload', 'summarise'],
    );
    expect(report.applied).toEqual(['clear-tool-results']);
    expect(report.after).toBeLessThanOrEqual(before / 2);
    expect(ledger.messages[2]?.content[0]).toMatchObject({
      type: 'tool-result',
      output: { cleared: true, outcome: 'ok' },
    });
    // The last two messages are untouched.
    expect(ledger.messages.at(-1)?.content[0]).toMatchObject({
      output: expect.stringContaining('ticket 4'),
    });
  });

  it('offloads to memory what it removes, readable by query', async () => {
    const ledger = new ContextLedger(tokenizer);
    ledger.append(TASK);
    for (let i = 0; i < 6; i++) for (const m of step(i, 50)) ledger.append(m);
    const memory = new MemoryMemoryStore();
    await compact(
      {
        ledger,
        target: 0,
        keepRecent: 2,
        threadId: 't',
        step: 6,
        memory,
        summarise: async () => '',
      },
      ['offload'],
    );
    expect(ledger.length).toBe(4); // anchor, note, last call and its result
    expect(ledger.messages[1]?.content[0]).toMatchObject({
      text: expect.stringContaining('recall'),
    });
    const found = await memory.search('t', 'ticket 3', 3);
    expect(found.some((e) => e.text.includes('ticket 3'))).toBe(true);
    expect(await memory.search('other-thread', 'ticket', 3)).toEqual([]);
  });
});
