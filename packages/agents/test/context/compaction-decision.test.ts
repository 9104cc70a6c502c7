// Whether to compact is decided on an upper bound first and on the exact count only when the
// bound does not settle it: the decision is the one an exact count at every step makes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Run } from '../../src/agent/agent-run.js';
import { resolveAgentSpec } from '../../src/agent/agent-spec.js';
import { tokenizerFor } from '../../src/context/tokenizer.js';
import type { Message } from '../../src/model/message.js';
import type { ModelClient } from '../../src/model/model-client.js';

const tokenizer = tokenizerFor('o200k_base');
const model = {
  provider: 'scripted',
  model: 'scripted',
  generate: async () => {
    throw new Error('not called');
  },
} as unknown as ModelClient;
const spec = resolveAgentSpec({ name: 'decider', model, system: 'You look customers up.' });

const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc
    .string({ maxLength: 300 })
    .map((text): Message => ({ role: 'user', content: [{ type: 'text', text }] })),
  fc.jsonValue({ maxDepth: 2 }).map(
    (input): Message => ({
      role: 'assistant',
      content: [{ type: 'tool-call', callId: 'c', name: 'lookup', input }],
    }),
  ),
  fc.string({ unit: 'grapheme', maxLength: 200 }).map(
    (output): Message => ({
      role: 'tool',
      content: [{ type: 'tool-result', callId: 'c', name: 'lookup', output }],
    }),
  ),
);

type Op =
  | { op: 'append'; message: Message }
  | { op: 'call' }
  | { op: 'answer'; reported: number }
  | { op: 'compact'; keep: number }
  | { op: 'decide'; limit: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: messageArb.map((message): Op => ({ op: 'append', message })) },
  { weight: 2, arbitrary: fc.constant<Op>({ op: 'call' }) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(fc.integer({ min: -5, max: 2_000 }), fc.constant(Number.NaN))
      .map((reported): Op => ({ op: 'answer', reported })),
  },
  { weight: 1, arbitrary: fc.nat(4).map((keep): Op => ({ op: 'compact', keep })) },
  { weight: 4, arbitrary: fc.nat(2_500).map((limit): Op => ({ op: 'decide', limit })) },
);

/** The decision as it was made with an exact count at every call: the reference. */
class ExactReference {
  messages: Message[] = [];
  /**
   * An answer follows a call made since the last compaction: the runtime compacts only between a
   * model call's answer (or error) and the next call, never while one is in flight.
   */
  called = false;
  tokensAtCall = 0;
  uncounted = 0;
  tokens(): number {
    let total = tokenizer.count(spec.system);
    for (const m of this.messages) total += tokenizer.countMessage(m);
    return total;
  }
}

describe('compaction decision', () => {
  it('is the exact count decision for any run of appends, calls, reports and compactions', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 50 }), (ops) => {
        const run = new Run(1, spec, tokenizer, {
          threadId: 't',
          task: 'Look customers 1 to 9 up.',
          origin: { kind: 'none' },
          now: 0,
        });
        const ref = new ExactReference();
        ref.messages = [...run.ledger.messages];
        for (const o of ops) {
          switch (o.op) {
            case 'append':
              run.ledger.append(o.message);
              ref.messages.push(o.message);
              break;
            case 'call':
              run.calling();
              ref.called = true;
              ref.tokensAtCall = ref.tokens();
              break;
            case 'answer':
              if (!ref.called) break;
              run.measured(o.reported);
              if (Number.isFinite(o.reported) && o.reported > 0)
                ref.uncounted = Math.max(0, o.reported - ref.tokensAtCall);
              break;
            case 'compact': {
              // As the step loop does: the error is worked out before the context is rewritten.
              run.settleUncounted();
              const end = Math.max(1, run.ledger.length - o.keep);
              run.ledger.splice(1, end, []);
              ref.messages.splice(1, end - 1);
              ref.called = false;
              break;
            }
            case 'decide':
              expect(run.over(o.limit)).toBe(ref.tokens() + ref.uncounted > o.limit);
              expect(run.uncounted).toBe(ref.uncounted);
              break;
          }
        }
        expect(run.ledger.tokens).toBe(ref.tokens());
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to work the error out against a context rewritten since its call', () => {
    const run = new Run(1, spec, tokenizer, {
      threadId: 't',
      task: 'Look customers 1 to 9 up.',
      origin: { kind: 'none' },
      now: 0,
    });
    run.calling();
    run.measured(500);
    run.ledger.splice(0, 1, []);
    expect(() => run.uncounted).toThrow(/rewritten/);
  });
});
