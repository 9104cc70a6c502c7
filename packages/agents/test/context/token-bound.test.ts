// The bound that lets the ledger skip tokenizing: never below the exact count, on any text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Encoding,
  messageTokenBound,
  textTokenBound,
  tokenizerFor,
} from '../../src/context/tokenizer.js';
import type { Message } from '../../src/model/message.js';

const ENCODINGS: readonly Encoding[] = ['o200k_base', 'cl100k_base'];

const textArb = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? ''),
);

const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc.array(textArb, { maxLength: 3 }).map(
    (texts): Message => ({
      role: 'user',
      content: texts.map((text) => ({ type: 'text' as const, text })),
    }),
  ),
  fc.record({ name: fc.string({ maxLength: 20 }), input: fc.jsonValue({ maxDepth: 3 }) }).map(
    ({ name, input }): Message => ({
      role: 'assistant',
      content: [{ type: 'tool-call', callId: 'c', name, input }],
    }),
  ),
  fc.record({ name: fc.string({ maxLength: 20 }), output: fc.oneof(textArb, fc.jsonValue()) }).map(
    ({ name, output }): Message => ({
      role: 'tool',
      content: [{ type: 'tool-result', callId: 'c', name, output }],
    }),
  ),
);

describe('token bound', () => {
  it.each(ENCODINGS)(
    'never falls below the %s count of any text (a token is at least a byte)',
    (encoding) => {
      const tokenizer = tokenizerFor(encoding);
      fc.assert(
        fc.property(textArb, (text) => {
          expect(textTokenBound(text)).toBeGreaterThanOrEqual(tokenizer.count(text));
        }),
        { numRuns: 500 },
      );
    },
  );

  it.each(ENCODINGS)('never falls below the %s count of any message', (encoding) => {
    const tokenizer = tokenizerFor(encoding);
    fc.assert(
      fc.property(messageArb, (message) => {
        expect(messageTokenBound(message)).toBeGreaterThanOrEqual(tokenizer.countMessage(message));
      }),
      { numRuns: 300 },
    );
  });

  it('is needed: characters / 3 undercounts JSON and CJK text', () => {
    const tokenizer = tokenizerFor('o200k_base');
    for (const text of ['{"id":3}', '請把這張工單轉給退款小組處理', '1 2 3 4 5 6 7 8 9']) {
      expect(tokenizer.count(text)).toBeGreaterThan(text.length / 3);
      expect(textTokenBound(text)).toBeGreaterThanOrEqual(tokenizer.count(text));
    }
  });
});
