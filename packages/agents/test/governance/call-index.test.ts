import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type EffectJournal, MemoryEffectJournal } from '../../src/governance/effect-journal.js';
import { MemoryAgentStore } from '../../src/store/memory-agent-store.js';

interface Op {
  readonly op: 'begin' | 'ask' | 'prune';
  readonly thread: number;
  readonly tool: number;
  readonly args: number;
}

const opArb: fc.Arbitrary<Op> = fc.record({
  op: fc.constantFrom('begin', 'begin', 'ask', 'prune'),
  thread: fc.nat(1),
  tool: fc.nat(1),
  args: fc.nat(1),
}) as fc.Arbitrary<Op>;

const TOOLS = ['send_mail', 'drop_db'];

/**
 * Every listCall answer equals the thread's list filtered, wherever in the history it is asked;
 * `prune` (where the journal can) removes the thread's entries with an odd key number.
 */
async function holdsToList(
  journal: EffectJournal,
  ops: readonly Op[],
  prune?: (threadId: string) => void,
): Promise<void> {
  const listCall = journal.listCall?.bind(journal);
  if (listCall === undefined) throw new Error('this journal has no listCall');
  let n = 0;
  for (const o of ops) {
    const threadId = `t${o.thread}`;
    const tool = TOOLS[o.tool] as string;
    const argsHash = String(o.args).repeat(64);
    if (o.op === 'prune') {
      prune?.(threadId);
      continue;
    }
    if (o.op === 'begin') {
      await journal.begin({
        key: `k${n++}`,
        agent: 'a',
        threadId,
        tool,
        effect: 'write',
        argsHash,
        scopes: [],
        at: n,
      });
      continue;
    }
    const expected = (await journal.list(threadId)).filter(
      (e) => e.tool === tool && e.argsHash === argsHash,
    );
    expect(await listCall(threadId, tool, argsHash)).toEqual(expected);
  }
}

describe('EffectJournal.listCall', () => {
  it('answers as list filtered by tool and arguments, in the memory journal', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), (ops) =>
        holdsToList(new MemoryEffectJournal(), ops),
      ),
      { numRuns: 300 },
    );
  });

  it("answers as list filtered in the memory store's journal, after pruning too", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 60 }), async (ops) => {
        const store = new MemoryAgentStore();
        const odd = (entry: { readonly key: string }) => Number(entry.key.slice(1)) % 2 === 1;
        await holdsToList(store.journal, ops, (threadId) => store.journal.remove(threadId, odd));
      }),
      { numRuns: 300 },
    );
  });
});
