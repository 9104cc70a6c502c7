// A tool call's runner hands the context the text it made of the output, so the context's token
// bound is not worked out from a second JSON text: the figure must be the one it would work out.

import { Buffer } from 'node:buffer';
import { defineActor } from '@warden/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  callTokenBound,
  messageTokenBound,
  resultTokenBound,
} from '../../src/context/tokenizer.js';
import { flatText } from '../../src/governance/args-hash.js';
import { CallerFields } from '../../src/tools/call-context.js';
import { runToolCall, type ToolCallOutcome } from '../../src/tools/run-tool-call.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld } from '../agent/agent-world.js';
import { replayParams } from '../governance/replay-params.js';

async function outcomeOf(output: () => unknown, maxOutputChars?: number): Promise<ToolCallOutcome> {
  const { node, clock } = agentWorld();
  const tool = defineTool({
    name: 'echo',
    description: 'answers what it is given',
    effect: 'read',
    input: z.object({}),
    run: () => output(),
  });
  const spawnAgent = () => Promise.reject(new Error('no subagents here'));
  return runToolCall(
    new Map([['echo', tool]]),
    { type: 'tool-call', callId: 'c1', name: 'echo', input: {} },
    {
      clock,
      signal: new AbortController().signal,
      ...(maxOutputChars === undefined ? {} : { maxOutputChars }),
      context: new CallerFields(
        'k',
        node,
        node.spawn(defineActor({ init: () => ({}) })),
        't',
        spawnAgent,
      ),
    },
  );
}

function boundOf(outcome: ToolCallOutcome): number {
  return messageTokenBound({ role: 'tool', content: [outcome.result] });
}

describe("a tool call's output text", () => {
  it('gives the token bound the context works out itself, whatever the output', async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const outputs: (() => unknown)[] = [
      () => undefined,
      () => null,
      () => 'plain text, ünïcode ✓',
      () => 'x'.repeat(5_000),
      () => ({ id: 3, name: 'customer 3', plan: 'pro' }),
      () => ({ big: 'y'.repeat(5_000) }),
      () => [1, 'two', { three: 3 }],
      () => () => 'a function',
      () => cyclic,
      () => Promise.resolve({ later: true }),
    ];
    for (const output of outputs) {
      const outcome = await outcomeOf(output, 1_000);
      expect(outcome.error).toBeUndefined();
      expect(outcome.text).toBeDefined();
      expect(4 + resultTokenBound(outcome.result, outcome.text)).toBe(boundOf(outcome));
    }
  });

  it('agrees with the bound worked out from the output on any JSON value (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.jsonValue({ maxDepth: 4 }),
        fc.integer({ min: 1, max: 300 }),
        async (value, max) => {
          const outcome = await outcomeOf(() => value, max);
          expect(4 + resultTokenBound(outcome.result, outcome.text)).toBe(boundOf(outcome));
        },
      ),
      replayParams({ numRuns: 300 }),
    );
  });

  it('is not given for a result the runner did not bound (a refused call)', async () => {
    const { node, clock } = agentWorld();
    const outcome = await runToolCall(
      new Map(),
      { type: 'tool-call', callId: 'c1', name: 'missing', input: {} },
      {
        clock,
        signal: new AbortController().signal,
        context: new CallerFields(
          'k',
          node,
          node.spawn(defineActor({ init: () => ({}) })),
          't',
          async () => {
            throw new Error('none');
          },
        ),
      },
    );
    expect(outcome.error?.code).toBe('ERR_UNKNOWN_TOOL');
    expect(outcome.text).toBeUndefined();
  });
});

describe("a tool call's input text", () => {
  it("has the JSON text's UTF-8 length when the input is flat, so the context's bound is unchanged (property)", () => {
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: 'grapheme' }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
      fc.constant(-0),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), value), (input) => {
        const flat = flatText(input);
        const json = JSON.stringify(input);
        if (flat === undefined) return; // a non-finite number: no canonical form
        expect(Buffer.byteLength(flat)).toBe(Buffer.byteLength(json));
        const part = { type: 'tool-call' as const, callId: 'c', name: 'n', input };
        expect(callTokenBound(part, Buffer.byteLength(flat))).toBe(callTokenBound(part, undefined));
      }),
      replayParams({ numRuns: 1_000 }),
    );
  });
});
