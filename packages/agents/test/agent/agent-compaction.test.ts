import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { tokenizerFor } from '../../src/context/tokenizer.js';
import { createScriptedModel, type FaultEffect } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, outcomeOf } from './agent-world.js';

const CONTEXT_LENGTH: FaultEffect = {
  type: 'error',
  kind: 'context_length',
  status: 400,
  providerCode: 'context_length_exceeded',
  message: "This model's maximum context length is 128000 tokens.",
};

const bigTool = defineTool({
  name: 'dump',
  description: 'returns a lot',
  effect: 'read',
  input: z.object({ n: z.number() }),
  run: ({ n }) =>
    `dump ${n}: ${Array.from({ length: 300 }, (_, i) => `w${(i * 7 + n) % 101}`).join(' ')}`,
});

function publishedTypes(node: ReturnType<typeof agentWorld>['node']): string[] {
  const types: string[] = [];
  node.inspect((e) => {
    if (e.type === 'published') types.push((e.event as { type: string }).type);
  });
  return types;
}

describe('defineAgent: compaction', () => {
  it('answers a context_length error with one compaction and one retry', async () => {
    const { clock, node } = agentWorld();
    const types = publishedTypes(node);
    const model = createScriptedModel({
      clock,
      script: [{ toolCalls: [{ name: 'dump', input: { n: 1 } }] }, { text: 'done' }],
      faults: [{ calls: [1], effect: CONTEXT_LENGTH }],
    });
    const pid = node.spawn(defineAgent({ name: 'cl', model, system: '', tools: [bigTool] }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    expect(result.value().text).toBe('done');
    expect(types).toContain('agent.context_overflow');
    expect(model.calls.map((c) => c.outcome)).toEqual(['answered', 'failed', 'answered']);
  });

  it('fails a second context_length in a row with the typed error instead of looping', async () => {
    const { clock, node } = agentWorld();
    const model = createScriptedModel({
      clock,
      script: { text: 'never' },
      faults: [{ effect: CONTEXT_LENGTH }],
    });
    const pid = node.spawn(defineAgent({ name: 'cl2', model, system: '' }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    const reason = (result.error() as { reason: { cause: { kind: string } } }).reason;
    expect(reason.cause.kind).toBe('context_length');
    expect(model.calls).toHaveLength(2);
  });

  it('is degraded after a compaction that fails, and ends with ERR_CONTEXT_OVERFLOW before it would overflow', async () => {
    const { clock, node } = agentWorld();
    const types = publishedTypes(node);
    let n = 0;
    const windowTokens = 3_000;
    const tokenizer = tokenizerFor();
    const model = createScriptedModel({
      clock,
      // Summaries fail (the summariser's request has no tools); the task keeps calling dump.
      script: () => ({ toolCalls: [{ name: 'dump', input: { n: n++ } }] }),
    });
    const summarising = {
      ...model,
      generate: (request: Parameters<typeof model.generate>[0]) =>
        request.tools === undefined
          ? Promise.reject(new Error('summariser down'))
          : model.generate(request),
    };
    const pid = node.spawn(
      defineAgent({
        name: 'ov',
        model: summarising,
        system: '',
        tools: [bigTool],
        contextWindow: windowTokens,
        maxOutputTokens: 200,
        compaction: { threshold: 0.5, strategies: ['summarise'], keepRecent: 2 },
        guard: { repeatedCalls: 100 },
      }),
    );
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    const reason = (result.error() as { reason: { code: string } }).reason;
    expect(reason.code).toBe('ERR_CONTEXT_OVERFLOW');
    expect(types).toContain('agent.compaction_failed');
    for (const call of model.calls) {
      const system = call.request.system === undefined ? 0 : tokenizer.count(call.request.system);
      const tokens = call.request.messages.reduce(
        (sum, m) => sum + tokenizer.countMessage(m),
        system,
      );
      expect(tokens + 200).toBeLessThanOrEqual(windowTokens);
    }
  });

  it('counts what the provider counted beyond its own count when deciding to compact', async () => {
    const { clock, node } = agentWorld();
    const types = publishedTypes(node);
    const model = createScriptedModel({
      clock,
      script: [
        // The provider says the first request was 12,000 tokens (its tokenizer, its framing).
        {
          toolCalls: [{ name: 'dump', input: { n: 1 } }],
          usage: { inputTokens: 12_000, outputTokens: 10 },
        },
        { text: 'done', usage: { inputTokens: 900, outputTokens: 10 } },
      ],
    });
    const pid = node.spawn(
      defineAgent({
        name: 'uc',
        model,
        system: '',
        tools: [bigTool],
        contextWindow: 20_000,
        compaction: { threshold: 0.5, strategies: ['clear-tool-results'] },
      }),
    );
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    expect(result.value().text).toBe('done');
    // By its own count the context was far under 10,000 tokens; by the provider's it was not.
    expect(types.filter((t) => t.startsWith('agent.compact'))).toEqual(['agent.compaction_failed']);
  });
});
