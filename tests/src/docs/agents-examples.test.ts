/**
 * The code examples of docs/agents/*.md, each between `// #region name` and `// #endregion`.
 * docs-examples.test.ts checks that every `<!-- example: name -->` block in the docs is word for
 * word one of these regions, so an example in the docs is code that ran and passed.
 */
import {
  agentHost,
  agentStatus,
  CapabilitySet,
  defineAgent,
  defineTool,
  isAgentError,
  MemoryCheckpointStore,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import {
  createInMemoryNetwork,
  createNode,
  isWardenError,
  type Pid,
  startSupervisor,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

describe('docs/agents examples', () => {
  it('an agent as a supervised process (runtime.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const model = createScriptedModel({
      clock,
      script: [
        { toolCalls: [{ name: 'read_ticket', input: { id: 42 } }] },
        { text: 'Refund approved.' },
      ],
    });
    // #region agent-define
    const readTicket = defineTool({
      name: 'read_ticket',
      description: 'Reads a support ticket by id',
      effect: 'read',
      input: z.object({ id: z.number().int() }),
      run: ({ id }) => ({ id, subject: 'Charged twice', amount: 120 }),
    });
    const triage = defineAgent({
      name: 'triage',
      model, // any ModelClient: a real client, a resilient one, or the scripted model
      system: 'You triage support tickets.',
      tools: [readTicket],
      limits: { steps: 20, tokens: 200_000, wallMs: 600_000 },
    });
    await startSupervisor(node, {
      strategy: 'one_for_one',
      intensity: 3,
      period: 60_000,
      children: [{ id: 'triage', start: { behaviour: triage, options: { name: 'triage' } } }],
    });
    const result = await runTask(node, 'triage', {
      task: 'Triage ticket 42',
      threadId: 'ticket-42',
    });
    // result: { threadId: 'ticket-42', outcome: 'done', text: 'Refund approved.', steps: 2, spent }
    // #endregion
    expect(result).toMatchObject({
      threadId: 'ticket-42',
      outcome: 'done',
      text: 'Refund approved.',
      steps: 2,
    });
    expect(await agentStatus(node, 'triage')).toMatchObject({ state: 'done' });
  });

  it('a budget ends the agent with a typed reason (budgets.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    let page = 0;
    const model = createScriptedModel({
      clock,
      script: () => ({ toolCalls: [{ name: 'search', input: { page: page++ } }] }),
    });
    const search = defineTool({
      name: 'search',
      description: 'Searches the knowledge base',
      effect: 'read',
      input: z.object({ page: z.number() }),
      run: ({ page }) => `results page ${page}`,
    });
    // #region agent-budget
    const researcher = defineAgent({
      name: 'researcher',
      model,
      system: 'You research.',
      tools: [search],
      limits: { steps: 5 },
    });
    const pid = node.spawn(researcher);
    const error = await runTask(node, pid, 'Find everything').catch((e: unknown) => e);
    // The call fails with ERR_EXIT; the agent's exit reason names the budget and the figures.
    if (isWardenError(error, 'ERR_EXIT') && typeof error.reason === 'object') {
      const reason = error.reason as { code?: string; cause?: unknown };
      expect(reason.code).toBe('ERR_BUDGET_EXCEEDED');
      expect(isAgentError(reason.cause)).toBe(true);
      expect((reason.cause as { detail: unknown }).detail).toEqual({
        budget: 'steps',
        limit: 5,
        spent: 6,
      });
    }
    // #endregion
    expect(isWardenError(error, 'ERR_EXIT')).toBe(true);
  });

  it('resuming a thread after a crash (runtime.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    let n = 0;
    const model = createScriptedModel({
      clock,
      latencyMs: 1_000,
      script: () =>
        ++n <= 3 ? { toolCalls: [{ name: 'step', input: { n } }] } : { text: 'finished' },
    });
    const step = defineTool({
      name: 'step',
      description: 'One step of the work',
      effect: 'read',
      input: z.object({ n: z.number() }),
      run: ({ n }) => `step ${n} done`,
    });
    // #region agent-resume
    const checkpoints = new MemoryCheckpointStore();
    const worker = defineAgent({ name: 'worker', model, system: '', tools: [step], checkpoints });
    const pid = node.spawn(worker);
    const first = runTask(node, pid, { task: 'Do the work', threadId: 'job-7' }).catch(
      (e: unknown) => e,
    );
    await clock.advance(2_500); // two steps committed, the third in flight
    node.exit(pid, 'kill');
    expect(isWardenError(await first, 'ERR_EXIT')).toBe(true);
    // A new process (here by hand; normally its supervisor restarts it) resumes the thread.
    const again = runTask(node, node.spawn(worker), { task: 'Do the work', threadId: 'job-7' });
    await clock.advance(5_000);
    expect(await again).toMatchObject({ outcome: 'done', text: 'finished', steps: 4 });
    // #endregion
    expect(model.calls).toHaveLength(5); // 2 before the kill, the aborted third, then 3 and 4
  });
  it('a subagent on another node (subagents.md)', async () => {
    const clock = new TestClock();
    const network = createInMemoryNetwork();
    const planning = createNode({ name: 'planning', clock, transport: network.transport() });
    const research = createNode({ name: 'research', clock, transport: network.transport() });
    const ran: string[] = [];
    const search = defineTool({
      name: 'search',
      description: 'Searches the web',
      effect: 'read',
      input: z.object({ q: z.string() }),
      run: ({ q }) => {
        ran.push(q);
        return `results for ${q}`;
      },
    });
    const researcher = defineAgent({
      name: 'researcher',
      model: createScriptedModel({
        clock,
        script: [{ toolCalls: [{ name: 'search', input: { q: 'otp' } }] }, { text: 'found it' }],
      }),
      system: 'You research.',
      tools: [search],
    });
    // #region remote-subagent
    // On the research node: a host that starts researchers for parents elsewhere, never with
    // more than read access to search, whatever a parent claims.
    await startSupervisor(research, {
      strategy: 'one_for_one',
      children: [
        {
          id: 'agent-host',
          start: {
            behaviour: agentHost({
              agents: [researcher],
              ceiling: CapabilitySet.of([{ tools: ['search'], upTo: 'read' }]),
            }),
            options: { name: 'agents' },
          },
        },
      ],
    });
    const host = research.whereis('agents') as Pid;

    // On the planning node: a tool that runs a researcher there, keyed by the task.
    const delegate = defineTool({
      name: 'research',
      description: 'Hands a question to a researcher',
      effect: 'read',
      input: z.object({ question: z.string() }),
      run: ({ question }, ctx) =>
        ctx.spawnAgent(`research:${question}`, researcher, question, { host }),
    });
    // #endregion
    const planner = defineAgent({
      name: 'planner',
      model: createScriptedModel({
        clock,
        script: [
          { toolCalls: [{ name: 'research', input: { question: 'otp' } }] },
          { text: 'planned' },
        ],
      }),
      system: 'You plan.',
      tools: [delegate],
      capabilities: CapabilitySet.of([{ tools: ['research', 'search'], upTo: 'read' }]),
    });
    const result = runTask(planning, planning.spawn(planner), 'plan');
    await clock.advance(1_000);
    expect((await result).outcome).toBe('done');
    expect(ran).toEqual(['otp']);
    await planning.stop();
    await research.stop();
  });
});
