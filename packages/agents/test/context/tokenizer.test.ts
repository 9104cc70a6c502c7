import fc from 'fast-check';
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { ContextLedger } from '../../src/context/context-ledger.js';
import { encodingForModel, MESSAGE_OVERHEAD, tokenizerFor } from '../../src/context/tokenizer.js';
import type { Message } from '../../src/model/message.js';

const tokenizer = tokenizerFor('o200k_base');

describe('tokenizer', () => {
  it('counts a text as the o200k encoding does', () => {
    const text =
      'Triage ticket 42: the customer was charged twice. <|endoftext|> is just text here.';
    expect(tokenizer.count(text)).toBe(encode(text, { disallowedSpecial: new Set() }).length);
  });

  it('counts a message as its parts plus the per-message overhead', () => {
    const message: Message = {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Looking it up.' },
        { type: 'tool-call', callId: 'c1', name: 'lookup', input: { id: 42 } },
      ],
    };
    const parts =
      tokenizer.count('Looking it up.') + tokenizer.count('lookup') + tokenizer.count('{"id":42}');
    expect(tokenizer.countMessage(message)).toBe(parts + MESSAGE_OVERHEAD);
  });

  it('loads each encoding once', () => {
    expect(tokenizerFor('o200k_base')).toBe(tokenizer);
  });

  it('picks cl100k for GPT-4 and GPT-3.5, o200k for the rest', () => {
    expect(encodingForModel('gpt-4')).toBe('cl100k_base');
    expect(encodingForModel('gpt-4-turbo')).toBe('cl100k_base');
    expect(encodingForModel('gpt-3.5-turbo')).toBe('cl100k_base');
    expect(encodingForModel('gpt-4o-mini')).toBe('o200k_base');
    expect(encodingForModel('gpt-4.1')).toBe('o200k_base');
    expect(encodingForModel('o3')).toBe('o200k_base');
    expect(encodingForModel('claude-sonnet-4-5')).toBe('o200k_base');
  });
});

const messageArb: fc.Arbitrary<Message> = fc.oneof(
  fc
    .string({ maxLength: 200 })
    .map((text): Message => ({ role: 'user', content: [{ type: 'text', text }] })),
  fc.record({ id: fc.string({ maxLength: 8 }), input: fc.jsonValue({ maxDepth: 2 }) }).map(
    ({ id, input }): Message => ({
      role: 'assistant',
      content: [{ type: 'tool-call', callId: id, name: 'search', input }],
    }),
  ),
  fc.string({ maxLength: 400 }).map(
    (output): Message => ({
      role: 'tool',
      content: [{ type: 'tool-result', callId: 'c', name: 'search', output }],
    }),
  ),
);

type Edit =
  | { op: 'append'; message: Message }
  | { op: 'replace'; at: number; message: Message }
  | { op: 'splice'; at: number; count: number; messages: Message[] };

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  messageArb.map((message): Edit => ({ op: 'append', message })),
  fc.record({ at: fc.nat(30), message: messageArb }).map((e): Edit => ({ op: 'replace', ...e })),
  fc
    .record({ at: fc.nat(30), count: fc.nat(4), messages: fc.array(messageArb, { maxLength: 2 }) })
    .map((e): Edit => ({ op: 'splice', ...e })),
);

describe('ContextLedger', () => {
  it('keeps its exact count equal to a full recount, and its bound above it, through any edits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(editArb, fc.boolean()), { maxLength: 40 }),
        fc.boolean(),
        (edits, systemPrompt) => {
          const ledger = new ContextLedger(
            tokenizer,
            systemPrompt ? 'You are a triage agent.' : '',
          );
          for (const [edit, read] of edits) {
            if (edit.op === 'append') ledger.append(edit.message);
            else if (ledger.length === 0) continue;
            else if (edit.op === 'replace') ledger.replace(edit.at % ledger.length, edit.message);
            else {
              const start = edit.at % ledger.length;
              ledger.splice(start, Math.min(ledger.length, start + edit.count), edit.messages);
            }
            // Reading the exact count in between (counting what is pending) changes nothing.
            if (read) expect(ledger.tokens).toBe(ledger.recount());
            expect(ledger.bound).toBeGreaterThanOrEqual(ledger.recount());
          }
          expect(ledger.tokens).toBe(ledger.recount());
          expect(ledger.bound).toBe(ledger.tokens);
          let prefix = systemPrompt ? tokenizer.count('You are a triage agent.') : 0;
          for (let i = 0; i < ledger.length; i++) {
            expect(ledger.tokensBefore(i)).toBe(prefix);
            expect(ledger.tokensAt(i)).toBe(tokenizer.countMessage(ledger.messages[i] as Message));
            prefix += ledger.tokensAt(i);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('tokenizes nothing while only its bound is read', () => {
    let counted = 0;
    const counting = {
      ...tokenizer,
      count: (text: string) => {
        counted++;
        return tokenizer.count(text);
      },
      countMessage: (message: Message) => {
        counted++;
        return tokenizer.countMessage(message);
      },
    };
    const ledger = new ContextLedger(counting, 'You look customers up.');
    for (let i = 0; i < 10; i++) {
      ledger.append({ role: 'user', content: [{ type: 'text', text: `message ${i}` }] });
    }
    expect(ledger.bound).toBeGreaterThan(0);
    expect(counted).toBe(0);
    expect(ledger.tokens).toBe(ledger.recount());
    counted = 0;
    expect(ledger.tokens).toBe(ledger.bound);
    expect(counted).toBe(0);
  });

  it('changes its epoch when a message is replaced or removed, never on append', () => {
    const ledger = new ContextLedger(tokenizer);
    const m: Message = { role: 'user', content: [{ type: 'text', text: 'x' }] };
    ledger.append(m);
    ledger.append(m);
    const epoch = ledger.epoch;
    ledger.append(m);
    expect(ledger.epoch).toBe(epoch);
    ledger.replace(0, m);
    expect(ledger.epoch).toBeGreaterThan(epoch);
    const after = ledger.epoch;
    ledger.splice(1, 2, []);
    expect(ledger.epoch).toBeGreaterThan(after);
  });

  it('refuses to replace a message that does not exist', () => {
    const ledger = new ContextLedger(tokenizer);
    expect(() => ledger.replace(0, { role: 'user', content: [] })).toThrow(RangeError);
  });
});
