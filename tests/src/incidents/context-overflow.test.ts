// Incident replay: context overflow. A 60-step, tool-heavy task whose tool returns a large log
// page at every step. Without compaction the context grows until the provider refuses it with
// context_length at the step where the window fills, and the task dies there. With warden's
// compaction the run finishes under the window, and the task (the anchor) reaches the model
// verbatim in every request.

import { defineAgent, defineTool, isModelCallError, runTask } from '@warden/agents';
import { createScriptedModel, estimateInputTokens } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const STEPS = 60;
const WINDOW = 16_000;
const TASK =
  'Find the first request in the logs that failed with a 502 and say which service it hit.';

/** A page of log lines, about 2,000 characters, different on every page. */
function logPage(page: number): string {
  const lines: string[] = [];
  for (let i = 0; i < 24; i++) {
    const n = page * 24 + i;
    lines.push(
      `2026-12-06T10:${String(n % 60).padStart(2, '0')} svc-${n % 7} GET /api/v1/items/${n * 31} 200 ${n % 97}ms`,
    );
  }
  return lines.join('\n');
}

function world(compaction: boolean) {
  const clock = new TestClock();
  const node = createNode({ name: 'overflow', clock });
  let answered = 0;
  const model = createScriptedModel({
    clock,
    contextWindow: WINDOW,
    script: () =>
      ++answered <= STEPS
        ? { toolCalls: [{ name: 'read_logs', input: { page: answered } }] }
        : { text: 'The first 502 hit svc-3.' },
  });
  const readLogs = defineTool({
    name: 'read_logs',
    description: 'Reads one page of the access log',
    effect: 'read',
    input: z.object({ page: z.number().int().min(0) }),
    run: ({ page }) => logPage(page),
  });
  const agent = defineAgent({
    name: 'log-reader',
    model,
    system: 'You read logs.',
    tools: [readLogs],
    contextWindow: WINDOW,
    limits: { steps: STEPS + 5 },
    compaction: compaction ? { strategies: ['clear-tool-results', 'offload'] } : false,
  });
  return { clock, node, model, agent };
}

describe('context overflow: a 60-step tool-heavy task', () => {
  it('without compaction dies of context_length at the step where the window fills', async () => {
    const w = world(false);
    const pid = w.node.spawn(w.agent);
    const result = runTask(w.node, pid, TASK).then(
      () => undefined,
      (e: unknown) => e,
    );
    await w.clock.settle();
    const error = (await result) as { reason: { cause: unknown } };
    expect(isModelCallError(error.reason.cause, 'context_length')).toBe(true);
    const failed = w.model.calls.filter((c) => c.outcome === 'failed');
    expect(failed).toHaveLength(1);
    const stepOfFailure = w.model.calls.indexOf(failed[0] as (typeof w.model.calls)[number]);
    // It got some way, then the window filled long before the task was done.
    expect(stepOfFailure).toBeGreaterThan(10);
    expect(stepOfFailure).toBeLessThan(STEPS);
    expect(estimateInputTokens(failed[0]?.request as never)).toBeGreaterThan(WINDOW);
  });

  it('with compaction finishes under the window, the task anchor verbatim in every request', async () => {
    const w = world(true);
    const events: { type: string; before?: number; after?: number }[] = [];
    w.node.inspect((e) => {
      if (e.type === 'published') events.push(e.event as { type: string });
    });
    const pid = w.node.spawn(w.agent);
    const result = runTask(w.node, pid, TASK);
    await w.clock.settle();
    expect((await result).text).toBe('The first 502 hit svc-3.');
    expect(w.model.calls.every((c) => c.outcome === 'answered')).toBe(true);
    expect(w.model.calls).toHaveLength(STEPS + 1);
    for (const call of w.model.calls) {
      expect(call.request.messages[0]).toEqual({
        role: 'user',
        content: [{ type: 'text', text: TASK }],
      });
      expect(estimateInputTokens(call.request)).toBeLessThan(WINDOW);
    }
    const compactions = events.filter((e) => e.type === 'agent.compacted');
    expect(compactions.length).toBeGreaterThan(0);
  });
});
