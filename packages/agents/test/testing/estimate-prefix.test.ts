// The scripted model's estimate goes on from the part of a conversation it saw last; it must be
// the sum it would make message by message, whatever the caller does to its array in between.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/model/message.js';
import { estimateInputTokens } from '../../src/testing/estimate-tokens.js';
import { replayParams } from '../governance/replay-params.js';

const message = (text: string): Message => ({ role: 'user', content: [{ type: 'text', text }] });

function oneByOne(messages: readonly Message[]): number {
  let n = 0;
  for (const m of messages) n += estimateInputTokens({ messages: [m] });
  return n;
}

type Op =
  | { readonly kind: 'append'; readonly text: string }
  | { readonly kind: 'replace'; readonly at: number; readonly text: string }
  | { readonly kind: 'truncate'; readonly to: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('append' as const), text: fc.string({ maxLength: 40 }) }),
  fc.record({
    kind: fc.constant('replace' as const),
    at: fc.nat(),
    text: fc.string({ maxLength: 40 }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), to: fc.nat() }),
);

describe("the scripted model's estimate of a conversation", () => {
  it('is the message-by-message sum after appends, replacements and cuts, copied or in place (property)', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 30 }), fc.boolean(), (ops, inPlace) => {
        let messages: Message[] = [message('the task')];
        for (const op of ops) {
          const next = inPlace ? messages : [...messages];
          if (op.kind === 'append') next.push(message(op.text));
          else if (op.kind === 'replace') {
            const at = 1 + (op.at % Math.max(1, next.length - 1));
            if (at < next.length) next[at] = message(op.text);
          } else next.length = Math.max(1, op.to % (next.length + 1));
          messages = next;
          expect(estimateInputTokens({ messages })).toBe(oneByOne(messages));
        }
      }),
      replayParams({ numRuns: 500 }),
    );
  });
});
