import { isWardenError } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { canonicalHash } from '../../src/canonical/canonical-json.js';
import { argsHash } from '../../src/governance/args-hash.js';
import { MemoryEffectJournal } from '../../src/governance/effect-journal.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, outcomeOf } from './agent-world.js';

describe('the idempotency key of a tool call', () => {
  it("writes a read's key out from its step, position, tool, arguments' hash and thread, and hashes the others' as before", async () => {
    const { clock, node } = agentWorld();
    const keys: Record<string, string[]> = { lookup: [], send: [] };
    const lookup = defineTool({
      name: 'lookup',
      description: 'reads a customer',
      effect: 'read',
      // The schema's default is part of the validated arguments the key is made from.
      input: z.object({ id: z.number(), plan: z.string().default('pro') }),
      run: (_input, ctx) => {
        keys.lookup?.push(ctx.idempotencyKey);
        return 'found';
      },
    });
    const send = defineTool({
      name: 'send',
      description: 'sends a mail',
      effect: 'write',
      input: z.object({ to: z.string() }),
      run: (_input, ctx) => {
        keys.send?.push(ctx.idempotencyKey);
        return 'sent';
      },
    });
    const model = createScriptedModel({
      clock,
      script: [
        {
          toolCalls: [
            { name: 'send', input: { to: 'ada' } },
            { name: 'lookup', input: { id: 7 } },
          ],
        },
        { text: 'done' },
      ],
    });
    const journal = new MemoryEffectJournal();
    const agent = defineAgent({ name: 'k', model, system: '', tools: [lookup, send], journal });
    const result = outcomeOf(runTask(node, node.spawn(agent), { task: 'go', threadId: 'th/1' }));
    await clock.settle();
    expect(result.value().text).toBe('done');
    const read = `r/1/1/lookup/${argsHash({ id: 7, plan: 'pro' })}/th/1`;
    expect(keys.lookup).toEqual([read]);
    expect(keys.send).toEqual([canonicalHash(['th/1', 1, 0, 'send', { to: 'ada' }])]);
    // The journal and the audit log know the call by the key its `run` got.
    expect((await journal.list('th/1')).map((entry) => entry.key)).toEqual([keys.send?.[0], read]);
  });

  it('gives a read resumed after its agent died the key it had, and a read of another thread at the same step another key', async () => {
    const { clock, node } = agentWorld();
    const keys: string[] = [];
    const lookup = defineTool({
      name: 'lookup',
      description: 'reads a customer',
      effect: 'read',
      input: z.object({ id: z.number() }),
      run: async (_input, ctx) => {
        keys.push(ctx.idempotencyKey);
        if (keys.length === 1) {
          ctx.node.exit(ctx.agent, 'kill'); // the agent dies in the middle of the call
          await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', reject));
        }
        return 'found';
      },
    });
    const model = createScriptedModel({
      clock,
      script: [
        { toolCalls: [{ name: 'lookup', input: { id: 1 } }] },
        { text: 'found it' },
        { toolCalls: [{ name: 'lookup', input: { id: 2 } }] },
        { text: 'found the other' },
      ],
    });
    const journal = new MemoryEffectJournal();
    const agent = defineAgent({ name: 'r', model, system: '', tools: [lookup], journal });
    const first = outcomeOf(runTask(node, node.spawn(agent), { task: 'find 1', threadId: 'a' }));
    await clock.settle();
    expect(isWardenError(first.error(), 'ERR_EXIT')).toBe(true);
    const second = outcomeOf(runTask(node, node.spawn(agent), { task: 'find 1', threadId: 'a' }));
    await clock.settle();
    expect(second.value().text).toBe('found it');
    // Run again (a read is safe to repeat) under the key it had when it was interrupted.
    expect(keys).toHaveLength(2);
    expect(new Set(keys).size).toBe(1);
    const other = outcomeOf(runTask(node, node.spawn(agent), { task: 'find 2', threadId: 'b' }));
    await clock.settle();
    expect(other.value().text).toBe('found the other');
    expect(keys[2]).toBe(`r/1/0/lookup/${argsHash({ id: 2 })}/b`);
    expect(keys[2]).not.toBe(keys[0]);
    const entries = await journal.list('a');
    expect(entries.map((entry) => [entry.key, entry.state])).toEqual([[keys[0], 'done']]);
  });
});
