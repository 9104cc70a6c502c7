import { isWardenError, type Pid, startSupervisor } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAgentError } from '../../src/agent/agent-error.js';
import { agentStatus, cancelTask, runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import type { Message } from '../../src/model/message.js';
import type { ModelRequest } from '../../src/model/model-request.js';
import { MemoryCheckpointStore } from '../../src/store/checkpoint-store.js';
import { createScriptedModel, faults } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, lookupTool, outcomeOf } from './agent-world.js';

const lastMessage = (request: ModelRequest): Message | undefined => request.messages.at(-1);

describe('defineAgent: the plan-act-observe loop', () => {
  it('plans, calls a tool, observes its result and answers', async () => {
    const { clock, node } = agentWorld();
    const ran: unknown[] = [];
    const model = createScriptedModel({
      clock,
      script: [
        { toolCalls: [{ name: 'lookup', input: { id: 42 } }] },
        (request) => {
          const result = lastMessage(request)?.content[0];
          return {
            text: `found ${JSON.stringify(result?.type === 'tool-result' ? result.output : null)}`,
          };
        },
      ],
    });
    const agent = defineAgent({
      name: 'triage',
      model,
      system: 'You triage.',
      tools: [lookupTool(ran)],
    });
    const pid = node.spawn(agent);
    const result = outcomeOf(runTask(node, pid, 'Who is customer 42?'));
    await clock.settle();
    expect(result.value()).toMatchObject({ outcome: 'done', steps: 2 });
    expect(result.value().text).toContain('customer 42');
    expect(ran).toEqual([42]);
    // The task is the first message the model saw, verbatim.
    expect(model.calls[0]?.request.messages[0]).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'Who is customer 42?' }],
    });
    expect(await agentStatus(node, pid)).toMatchObject({ state: 'done', level: 0 });
  });

  it('answers status while its model call is in flight', async () => {
    const { clock, node } = agentWorld();
    const model = createScriptedModel({ clock, latencyMs: 30_000, script: { text: 'ok' } });
    const pid = node.spawn(defineAgent({ name: 'slow', model, system: '' }));
    const result = outcomeOf(runTask(node, pid, 'think'));
    await clock.advance(1_000);
    expect(await agentStatus(node, pid)).toMatchObject({ state: 'planning', step: 0 });
    expect(result.settled()).toBe(false);
    await clock.advance(30_000);
    expect(result.value().outcome).toBe('done');
  });

  it('cancels a task: the in-flight model call is aborted and the caller told', async () => {
    const { clock, node } = agentWorld();
    const model = createScriptedModel({ clock, latencyMs: 60_000, script: { text: 'late' } });
    const pid = node.spawn(defineAgent({ name: 'c', model, system: '' }));
    const result = outcomeOf(runTask(node, pid, 'think'));
    await clock.advance(1_000);
    expect(await cancelTask(node, pid)).toBe(true);
    await clock.settle();
    expect(result.value().outcome).toBe('cancelled');
    expect(model.calls[0]?.outcome).toBe('aborted');
    expect(await agentStatus(node, pid)).toMatchObject({ state: 'idle' });
    expect(await cancelTask(node, pid)).toBe(false);
  });

  it('aborts the in-flight tool call when the agent is killed', async () => {
    const { clock, node } = agentWorld();
    let aborted = false;
    const hang = defineTool({
      name: 'hang',
      description: 'never ends on its own',
      effect: 'read',
      input: z.object({}),
      run: (_input, ctx) =>
        new Promise((_resolve, reject) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('aborted'));
          });
        }),
    });
    const model = createScriptedModel({
      clock,
      script: { toolCalls: [{ name: 'hang', input: {} }] },
    });
    const pid = node.spawn(defineAgent({ name: 'k', model, system: '', tools: [hang] }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.advance(1_000);
    expect(await agentStatus(node, pid)).toMatchObject({ state: 'acting' });
    node.exit(pid, 'kill');
    await clock.settle();
    expect(aborted).toBe(true);
    expect(isWardenError(result.error(), 'ERR_EXIT')).toBe(true);
  });

  it('times out a tool on the node clock and tells the model', async () => {
    const { clock, node } = agentWorld();
    const slow = defineTool({
      name: 'slow',
      description: 'takes its time',
      effect: 'read',
      timeout: 5_000,
      input: z.object({}),
      run: () => new Promise(() => {}),
    });
    const model = createScriptedModel({
      clock,
      script: [{ toolCalls: [{ name: 'slow', input: {} }] }, { text: 'gave up on slow' }],
    });
    const pid = node.spawn(defineAgent({ name: 't', model, system: '', tools: [slow] }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.advance(5_000);
    expect(result.value().text).toBe('gave up on slow');
    const observed = model.calls[1]?.request.messages.at(-1)?.content[0];
    expect(observed).toMatchObject({
      type: 'tool-result',
      isError: true,
      output: { error: 'ERR_TOOL_TIMEOUT' },
    });
  });
});

describe('defineAgent: bad model output', () => {
  it('returns an unknown tool and arguments that fail the schema to the model as typed errors', async () => {
    const { clock, node } = agentWorld();
    const ran: unknown[] = [];
    const model = createScriptedModel({
      clock,
      script: [
        { toolCalls: [{ name: 'rm_rf', input: { path: '/' } }] },
        { toolCalls: [{ name: 'lookup', input: { id: 'forty-two' } }] },
        { toolCalls: [{ name: 'lookup', input: { id: 42 } }] },
        { text: 'done' },
      ],
    });
    const pid = node.spawn(defineAgent({ name: 'b', model, system: '', tools: [lookupTool(ran)] }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    expect(result.value().outcome).toBe('done');
    expect(ran).toEqual([42]); // the bad calls never reached run
    const seen = (i: number) => model.calls[i]?.request.messages.at(-1)?.content[0];
    expect(seen(1)).toMatchObject({ isError: true, output: { error: 'ERR_UNKNOWN_TOOL' } });
    expect(seen(2)).toMatchObject({ isError: true, output: { error: 'ERR_INVALID_TOOL_INPUT' } });
  });

  it('tells the model when its answer was empty, and stops a model that keeps answering nothing', async () => {
    const { clock, node } = agentWorld();
    const model = createScriptedModel({ clock, script: { text: '' } });
    const pid = node.spawn(
      defineAgent({ name: 'e', model, system: '', guard: { repeatedOutputs: 3 } }),
    );
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    const error = result.error();
    expect(isWardenError(error, 'ERR_EXIT')).toBe(true);
    expect((error as { reason: { code: string } }).reason.code).toBe('ERR_LOOP_DETECTED');
    expect(model.calls.length).toBe(4); // empty, nudged; empty; empty (nudge); empty (exit)
    const nudge = model.calls[1]?.request.messages.at(-1)?.content[0];
    expect(nudge).toMatchObject({ type: 'text', text: expect.stringContaining('empty') });
  });
});

describe('defineAgent: guards and budgets', () => {
  it('nudges a model that repeats a call, then ends it with ERR_LOOP_DETECTED', async () => {
    const { clock, node } = agentWorld();
    const model = createScriptedModel({
      clock,
      script: { toolCalls: [{ name: 'lookup', input: { id: 7 } }] },
    });
    const events: string[] = [];
    node.inspect((e) => {
      if (e.type === 'published') events.push((e.event as { type: string }).type);
    });
    const pid = node.spawn(
      defineAgent({
        name: 'loop',
        model,
        system: '',
        tools: [lookupTool()],
        guard: { repeatedCalls: 3 },
      }),
    );
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    const reason = (result.error() as { reason: { code: string } }).reason;
    expect(reason.code).toBe('ERR_LOOP_DETECTED');
    expect(model.calls.length).toBe(4);
    const afterThird = model.calls[3]?.request.messages.at(-1)?.content[0];
    expect(afterThird).toMatchObject({
      type: 'text',
      text: expect.stringContaining('Loop detected'),
    });
    expect(events).toContain('agent.failed');
  });

  it('ends the agent when its step budget is spent, naming the budget and the figures', async () => {
    const { clock, node } = agentWorld();
    let n = 0;
    const model = createScriptedModel({
      clock,
      script: () => ({ toolCalls: [{ name: 'lookup', input: { id: n++ } }] }),
    });
    const pid = node.spawn(
      defineAgent({ name: 's', model, system: '', tools: [lookupTool()], limits: { steps: 3 } }),
    );
    const events: { type: string; detail?: unknown }[] = [];
    node.inspect((e) => {
      if (e.type === 'published') events.push(e.event as { type: string });
    });
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    const error = result.error() as { reason: { code: string; cause: { detail: unknown } } };
    expect(error.reason.code).toBe('ERR_BUDGET_EXCEEDED');
    expect(error.reason.cause.detail).toEqual({ budget: 'steps', limit: 3, spent: 4 });
    expect(model.calls.length).toBe(3);
    expect(events.find((e) => e.type === 'agent.budget_exceeded')?.detail).toEqual({
      budget: 'steps',
      limit: 3,
      spent: 4,
    });
  });

  it('ends on a token budget after the call that crossed it', async () => {
    const { clock, node } = agentWorld();
    let n = 0;
    const model = createScriptedModel({
      clock,
      script: () => ({
        toolCalls: [{ name: 'lookup', input: { id: n++ } }],
        usage: { inputTokens: 400, outputTokens: 100 },
      }),
    });
    const pid = node.spawn(
      defineAgent({
        name: 'tk',
        model,
        system: '',
        tools: [lookupTool()],
        limits: { tokens: 1200 },
      }),
    );
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    const reason = (result.error() as { reason: { code: string; cause: { detail: unknown } } })
      .reason;
    expect(reason.cause.detail).toEqual({ budget: 'tokens', limit: 1200, spent: 1500 });
  });

  it('ends on wall time measured on the node clock, even while the model hangs', async () => {
    const { clock, node } = agentWorld();
    const model = createScriptedModel({
      clock,
      script: { text: 'x' },
      faults: [{ effect: faults.hang() }],
    });
    const pid = node.spawn(
      defineAgent({ name: 'w', model, system: '', limits: { wallMs: 60_000 } }),
    );
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.advance(59_999);
    expect(result.settled()).toBe(false);
    await clock.advance(1);
    const reason = (
      result.error() as { reason: { code: string; cause: { detail: { budget: string } } } }
    ).reason;
    expect(reason.cause.detail.budget).toBe('wallMs');
    expect(model.calls[0]?.outcome).toBe('aborted');
  });

  it('counts cost from the price table the user supplies', async () => {
    const { clock, node } = agentWorld();
    const model = createScriptedModel({
      clock,
      model: 'm-1',
      script: { text: 'ok', usage: { inputTokens: 1_000_000, outputTokens: 0 } },
    });
    const pid = node.spawn(
      defineAgent({
        name: 'p',
        model,
        system: '',
        prices: { 'm-1': { inputPerMTok: 3, outputPerMTok: 15 } },
      }),
    );
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    expect(result.value().spent.costUsd).toBe(3);
  });
});

describe('defineAgent: failures of the model', () => {
  it('moves to a fallback model when the primary is down, degraded, and says so', async () => {
    const { clock, node } = agentWorld();
    const primary = createScriptedModel({
      clock,
      model: 'big',
      script: { text: 'big' },
      faults: [{ effect: faults.overloaded() }],
    });
    const small = createScriptedModel({ clock, model: 'small', script: { text: 'small answer' } });
    const pid = node.spawn(
      defineAgent({ name: 'f', model: primary, fallbacks: [small], system: '' }),
    );
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    expect(result.value().text).toBe('small answer');
    expect(await agentStatus(node, pid)).toMatchObject({ state: 'done', level: 1 });
  });

  it('fails with the typed model error when nothing can serve', async () => {
    const { clock, node } = agentWorld();
    const model = createScriptedModel({
      clock,
      script: { text: 'x' },
      faults: [{ effect: faults.badRequest() }],
    });
    const pid = node.spawn(defineAgent({ name: 'bad', model, system: '' }));
    const result = outcomeOf(runTask(node, pid, 'go'));
    await clock.settle();
    const reason = (result.error() as { reason: { name: string } }).reason;
    expect(reason.name).toBe('ModelCallError');
  });
});

describe('defineAgent: checkpoints and resume', () => {
  it('resumes a thread from its last checkpoint after the agent was killed, without starting over', async () => {
    const { clock, node } = agentWorld();
    const store = new MemoryCheckpointStore();
    const ran: unknown[] = [];
    let n = 0;
    const model = createScriptedModel({
      clock,
      latencyMs: 1_000,
      script: (request) =>
        request.messages.length >= 7
          ? { text: `done after ${request.messages.length} messages` }
          : { toolCalls: [{ name: 'lookup', input: { id: n++ } }] },
    });
    const agent = defineAgent({
      name: 'r',
      model,
      system: '',
      tools: [lookupTool(ran)],
      checkpoints: store,
    });
    await startSupervisor(node, {
      children: [{ id: 'r', start: { behaviour: agent, options: { name: 'r' } } }],
    });
    const first = outcomeOf(runTask(node, 'r', { task: 'go', threadId: 't-1' }));
    await clock.advance(2_500); // two steps done, the third in flight
    expect((await store.latest('t-1'))?.step).toBe(2);
    node.exit(node.whereis('r') as Pid, 'kill');
    await clock.settle();
    expect(isWardenError(first.error(), 'ERR_EXIT')).toBe(true);
    const callsBefore = model.calls.length;
    const second = outcomeOf(runTask(node, 'r', { task: 'go', threadId: 't-1' }));
    await clock.advance(10_000);
    expect(second.value()).toMatchObject({ outcome: 'done', steps: 4 });
    expect(model.calls.length - callsBefore).toBe(2); // steps 3 and 4, not 1 to 4 again
    // Asking again for a finished thread answers its result without running anything.
    const third = outcomeOf(runTask(node, 'r', { task: 'go', threadId: 't-1' }));
    await clock.settle();
    expect(third.value()).toEqual(second.value());
    expect(model.calls.length - callsBefore).toBe(2);
  });

  it('commits one checkpoint per step and observation, each following the last', async () => {
    const { clock, node } = agentWorld();
    const store = new MemoryCheckpointStore();
    const model = createScriptedModel({
      clock,
      script: [{ toolCalls: [{ name: 'lookup', input: { id: 1 } }] }, { text: 'ok' }],
    });
    const pid = node.spawn(
      defineAgent({ name: 'cp', model, system: '', tools: [lookupTool()], checkpoints: store }),
    );
    const result = outcomeOf(runTask(node, pid, { task: 'go', threadId: 'cp-1' }));
    await clock.settle();
    expect(result.value().outcome).toBe('done');
    const head = await store.latest('cp-1');
    // begin, after the tool call was planned, after its result, and the final answer.
    expect(head?.version).toBe(4);
    expect(head?.result?.text).toBe('ok');
    expect(head?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'assistant']);
  });
});

describe('defineAgent: validation', () => {
  it('refuses a bad definition with ERR_INVALID_OPTION naming the field', () => {
    const { clock } = agentWorld();
    const model = createScriptedModel({ clock, script: { text: '' } });
    const attempt = (spec: object) => {
      try {
        defineAgent({ name: 'ok', model, system: '', ...spec });
      } catch (error) {
        return isAgentError(error, 'ERR_INVALID_OPTION') ? error.field : 'other';
      }
      return 'accepted';
    };
    expect(attempt({ name: 'has space' })).toBe('name');
    expect(attempt({ limits: { steps: -1 } })).toBe('limits.steps');
    expect(attempt({ compaction: { threshold: 1.5 } })).toBe('compaction.threshold');
    expect(attempt({ contextWindow: 0 })).toBe('contextWindow');
    expect(attempt({ tools: [lookupTool(), lookupTool()] })).toBe('tools');
    expect(attempt({ store: { checkpoints: {} } })).toBe('store');
  });
});

describe('defineAgent: resuming a step that was acting', () => {
  it('settles the calls its last step planned through their journal instead of asking the model again', async () => {
    const { clock, node } = agentWorld();
    const keys: string[] = [];
    const send = defineTool({
      name: 'send',
      description: 'sends a mail',
      effect: 'write',
      idempotent: true,
      input: z.object({ to: z.string() }),
      run: async (_input, ctx) => {
        keys.push(ctx.idempotencyKey);
        if (keys.length === 1) {
          ctx.node.exit(ctx.agent, 'kill'); // the agent dies in the middle of the call
          await new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', reject));
        }
        return 'sent';
      },
    });
    const model = createScriptedModel({
      clock,
      script: [{ toolCalls: [{ name: 'send', input: { to: 'ada' } }] }, { text: 'mailed' }],
    });
    const agent = defineAgent({ name: 'm', model, system: '', tools: [send] });
    const first = outcomeOf(
      runTask(node, node.spawn(agent), { task: 'mail ada', threadId: 'm-1' }),
    );
    await clock.settle();
    expect(isWardenError(first.error(), 'ERR_EXIT')).toBe(true);
    const second = outcomeOf(
      runTask(node, node.spawn(agent), { task: 'mail ada', threadId: 'm-1' }),
    );
    await clock.settle();
    expect(second.value().text).toBe('mailed');
    // The model was not asked to plan the step again: its next request carries the call's result.
    expect(model.calls).toHaveLength(2);
    const settled = model.calls[1]?.request.messages.at(-1)?.content[0];
    expect(settled).toMatchObject({ type: 'tool-result', name: 'send' });
    // Whatever the journal decided, a re-run would carry the same idempotency key.
    expect(new Set(keys).size).toBe(1);
  });
});
