// The in-memory checkpoint store keeps a log per thread and copies only what a commit added:
// `latest` still returns the full head, as it was committed, whatever the writer did since.
import { AgentLifecycle } from '@warden/machines';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Run } from '../../src/agent/agent-run.js';
import { resolveAgentSpec } from '../../src/agent/agent-spec.js';
import { tokenizerFor } from '../../src/context/tokenizer.js';
import type { Message } from '../../src/model/message.js';
import type { ModelClient } from '../../src/model/model-client.js';
import type { Checkpoint } from '../../src/store/checkpoint.js';
import { isStaleHeadError, MemoryCheckpointStore } from '../../src/store/checkpoint-store.js';

const tokenizer = tokenizerFor('o200k_base');
const model = { provider: 'p', model: 'm', generate: async () => ({}) } as unknown as ModelClient;
const spec = resolveAgentSpec({ name: 'writer', model, system: '' });

function text(t: string): Message {
  return { role: 'user', content: [{ type: 'text', text: t }] };
}

function checkpoint(version: number, messages: readonly Message[]): Checkpoint {
  return {
    threadId: 't',
    version,
    agent: 'a',
    task: 'go',
    step: version,
    state: 'planning',
    messages,
    spent: {
      steps: 0,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      wallMs: 0,
      toolCalls: 0,
      subagents: 0,
      unpriced: [],
    },
  };
}

type Edit =
  | { op: 'append'; n: number }
  | { op: 'replace'; at: number }
  | { op: 'splice'; at: number; count: number; add: number }
  | { op: 'commit' };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 3 }).map((n): Edit => ({ op: 'append', n })) },
  { weight: 1, arbitrary: fc.nat(20).map((at): Edit => ({ op: 'replace', at })) },
  {
    weight: 1,
    arbitrary: fc
      .record({ at: fc.nat(20), count: fc.nat(3), add: fc.nat(2) })
      .map((e): Edit => ({ op: 'splice', ...e })),
  },
  { weight: 3, arbitrary: fc.constant<Edit>({ op: 'commit' }) },
);

describe('MemoryCheckpointStore', () => {
  it('returns every head exactly as committed through any appends, rewrites and commits of a run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(editArb, { maxLength: 40 }), async (edits) => {
        const store = new MemoryCheckpointStore();
        const lifecycle = new AgentLifecycle();
        const run = new Run(1, spec, tokenizer, {
          threadId: 't',
          task: 'go',
          origin: { kind: 'none' },
          now: 0,
        });
        const ledger = run.ledger;
        let made = 0;
        const commit = async () => {
          const cp = run.checkpoint('a', lifecycle, 0);
          const expected = [...ledger.messages];
          const { length, epoch } = ledger;
          await store.commit(cp, {
            expectedHead: run.head,
            unchangedBefore: run.unchangedSinceHead(),
          });
          run.committed(cp.version, length, epoch);
          const head = await store.latest('t');
          expect(head?.version).toBe(cp.version);
          expect(head?.messages).toEqual(expected);
          for (let i = 0; i < expected.length; i++) expect(head?.messages[i]).toBe(expected[i]);
          expect(Object.isFrozen(head)).toBe(true);
          expect(Object.isFrozen(head?.messages)).toBe(true);
          return { head, expected };
        };
        let last = await commit();
        for (const edit of edits) {
          if (edit.op === 'append') {
            for (let i = 0; i < edit.n; i++) ledger.append(text(`m${made++}`));
          } else if (edit.op === 'replace') {
            if (ledger.length > 0) ledger.replace(edit.at % ledger.length, text(`r${made++}`));
          } else if (edit.op === 'splice') {
            const start = ledger.length === 0 ? 0 : edit.at % ledger.length;
            const add = Array.from({ length: edit.add }, () => text(`s${made++}`));
            ledger.splice(start, Math.min(ledger.length, start + edit.count), add);
          } else {
            last = await commit();
          }
          // What was committed stays as it was, whatever the writer does to its context after.
          expect(last.head?.messages).toEqual(last.expected);
          expect(await store.latest('t')).toBe(last.head);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('copies only the messages a commit added, never reading the unchanged ones', async () => {
    const store = new MemoryCheckpointStore();
    const messages = Array.from({ length: 1_000 }, (_, i) => text(`m${i}`));
    await store.commit(checkpoint(1, messages), { expectedHead: 0 });
    const grown = [...messages, text('next')];
    // Reading any message before the last unchanged one would throw.
    for (let i = 0; i < messages.length - 1; i++) {
      Object.defineProperty(grown, i, {
        get: () => {
          throw new Error(`message ${i} was read`);
        },
      });
    }
    await store.commit(checkpoint(2, grown), { expectedHead: 1, unchangedBefore: 1_000 });
    const head = await store.latest('t');
    expect(head?.messages.length).toBe(1_001);
    expect(head?.messages[999]).toBe(messages[999]);
    expect(head?.messages[1_000]).toEqual(text('next'));
  });

  it('copies everything again when the unchanged count is not borne out', async () => {
    const store = new MemoryCheckpointStore();
    await store.commit(checkpoint(1, [text('a'), text('b')]), { expectedHead: 0 });
    const rewritten = [text('a2'), text('b2'), text('c')];
    await store.commit(checkpoint(2, rewritten), { expectedHead: 1, unchangedBefore: 2 });
    expect((await store.latest('t'))?.messages).toEqual(rewritten);
  });

  it('returns every field a commit held, its result and fields it does not know included', async () => {
    const store = new MemoryCheckpointStore();
    const first = checkpoint(1, [text('a')]);
    await store.commit(first, { expectedHead: 0 });
    const { messages: _first, ...fields } = first;
    expect(await store.latest('t')).toStrictEqual({ ...fields, messages: [text('a')] });
    const result = {
      threadId: 't',
      outcome: 'done' as const,
      text: 'ok',
      steps: 2,
      spent: first.spent,
    };
    const done = { ...checkpoint(2, [text('a')]), result };
    await store.commit(done, { expectedHead: 1, unchangedBefore: 1 });
    expect((await store.latest('t'))?.result).toBe(result);
    const extra = { ...checkpoint(3, [text('a')]), result, note: 'kept' } as Checkpoint;
    await store.commit(extra, { expectedHead: 2, unchangedBefore: 1 });
    const { messages: _extra, ...extraFields } = extra;
    expect(await store.latest('t')).toStrictEqual({ ...extraFields, messages: [text('a')] });
  });

  it('refuses a stale writer and a version that skips, writing nothing', async () => {
    const store = new MemoryCheckpointStore();
    await store.commit(checkpoint(1, [text('a')]), { expectedHead: 0 });
    const head = await store.latest('t');
    await expect(
      store.commit(checkpoint(2, [text('x')]), { expectedHead: 0, unchangedBefore: 1 }),
    ).rejects.toSatisfy(isStaleHeadError);
    await expect(store.commit(checkpoint(3, [text('x')]), { expectedHead: 1 })).rejects.toThrow(
      RangeError,
    );
    expect(await store.latest('t')).toBe(head);
    expect(await store.latest('other')).toBeUndefined();
  });
});
