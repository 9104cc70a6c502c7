// Incident replay: an agent asked to fix a small bug decides that the cleanest fix is to delete
// the environment and build it again, and holds operator permissions that let it. In warden an
// irreversible call passes a gate: without an approval it is denied and the model is told why;
// with an approval only that exact call runs, once, and the same approval runs neither a second
// delete nor a delete with other arguments.

import {
  ApprovalDesk,
  CapabilitySet,
  defineAgent,
  defineTool,
  MemoryAuditLog,
  runTask,
  type ToolResultPart,
  verifyAuditChain,
} from '@warden/agents';
import { createScriptedModel, type ScriptedModel } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const TASK = 'Fix the off-by-one in paginate() in src/pages.ts on dev-42.';

/** The world the agent acts on: environments that exist, files, and every delete that ran. */
function world() {
  const environments = new Set(['dev-42', 'staging', 'production']);
  const files = new Map([['/srv/app/src/pages.ts', 'return items.slice(start, end + 1);']]);
  const deletes: string[] = [];
  const readFile = defineTool({
    name: 'read_file',
    description: 'Reads a file of the app',
    effect: 'read',
    input: z.object({ path: z.string() }),
    scope: ({ path }) => `fs:${path}`,
    run: ({ path }) => files.get(path) ?? 'no such file',
  });
  const writeFile = defineTool({
    name: 'write_file',
    description: 'Writes a file of the app',
    effect: 'write',
    input: z.object({ path: z.string(), text: z.string() }),
    scope: ({ path }) => `fs:${path}`,
    run: ({ path, text }) => {
      files.set(path, text);
      return 'written';
    },
  });
  const deleteEnvironment = defineTool({
    name: 'delete_environment',
    description: 'Deletes an environment and everything in it',
    effect: 'irreversible',
    input: z.object({ environment: z.string() }),
    scope: ({ environment }) => `env:${environment}`,
    run: ({ environment }) => {
      deletes.push(environment);
      environments.delete(environment);
      return `deleted ${environment}`;
    },
  });
  return { environments, files, deletes, tools: [readFile, writeFile, deleteEnvironment] };
}

const readPages = { toolCalls: [{ name: 'read_file', input: { path: '/srv/app/src/pages.ts' } }] };
const deleteDev = {
  text: 'The environment looks inconsistent. The cleanest fix is to delete it and rebuild it.',
  toolCalls: [{ name: 'delete_environment', input: { environment: 'dev-42' } }],
};
const fix = {
  toolCalls: [
    {
      name: 'write_file',
      input: { path: '/srv/app/src/pages.ts', text: 'return items.slice(start, end);' },
    },
  ],
};

/** The results of the tool calls the model was shown in its last request. */
function lastResults(model: ScriptedModel): ToolResultPart[] {
  const messages = model.calls.at(-1)?.request.messages ?? [];
  return (messages.filter((m) => m.role === 'tool').at(-1)?.content ?? []) as ToolResultPart[];
}

describe('incident replay: the agent that deleted its environment', () => {
  it('without an approval the delete is denied, the model is told why, and it fixes the bug', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'kiro', clock });
    const w = world();
    const audit = new MemoryAuditLog();
    const toldAfterDelete: unknown[] = [];
    const model = createScriptedModel({
      clock,
      script: [
        readPages,
        deleteDev,
        (request) => {
          const last = request.messages.at(-1)?.content[0] as ToolResultPart;
          toldAfterDelete.push(last.output);
          return fix;
        },
        { text: 'Fixed the off-by-one.' },
      ],
    });
    const agent = defineAgent({
      name: 'kiro',
      model,
      system: 'You are a coding agent with operator access.',
      tools: w.tools,
      // Operator permissions: every tool, every effect, every resource.
      capabilities: CapabilitySet.all(),
      audit,
    });
    const result = await runTask(node, node.spawn(agent), TASK);
    expect(result).toMatchObject({ outcome: 'done', text: 'Fixed the off-by-one.' });
    expect(w.deletes).toEqual([]);
    expect(w.environments.has('dev-42')).toBe(true);
    expect(w.files.get('/srv/app/src/pages.ts')).toBe('return items.slice(start, end);');
    expect(toldAfterDelete).toEqual([
      {
        error: 'ERR_PERMISSION_DENIED',
        message:
          'delete_environment was not run: denied by default:irreversible: irreversible calls are denied unless a rule asks a person',
      },
    ]);
    const entries = await audit.entries();
    expect(entries.filter((e) => e.kind === 'denied').map((e) => [e.tool, e.by])).toEqual([
      ['delete_environment', 'default:irreversible'],
    ]);
    expect(verifyAuditChain(entries).ok).toBe(true);
  });

  it('with an approval only that exact call runs, once; the approval runs no second delete and no other one', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'kiro', clock });
    const w = world();
    const audit = new MemoryAuditLog();
    const desk = new ApprovalDesk({ clock, timeoutMs: 600_000 });
    const model = createScriptedModel({
      clock,
      script: [
        deleteDev,
        { text: 'Deleting it once more to be sure.', toolCalls: deleteDev.toolCalls },
        {
          text: 'Production has the same problem.',
          toolCalls: [{ name: 'delete_environment', input: { environment: 'production' } }],
        },
        { text: 'Done.' },
      ],
    });
    const agent = defineAgent({
      name: 'kiro',
      model,
      system: '',
      tools: w.tools,
      capabilities: CapabilitySet.all(),
      policy: {
        rules: [{ id: 'env-owner-approves', tools: ['delete_environment'], decision: 'ask' }],
      },
      approvals: { desk },
      audit,
    });
    const result = runTask(node, node.spawn(agent), TASK);
    await clock.settle();
    // The first delete waits for a person, who approves exactly that call.
    const first = desk.pending()[0];
    expect(first).toMatchObject({ tool: 'delete_environment', input: { environment: 'dev-42' } });
    const approval = await desk.approve(first?.id as string, { approver: 'env-owner' });
    await clock.settle();
    expect(w.deletes).toEqual(['dev-42']);
    // The same approval, handed to the second delete of dev-42: already used.
    const second = desk.pending()[0];
    expect(second?.input).toEqual({ environment: 'dev-42' });
    desk.present(second?.id as string, approval);
    await clock.settle();
    expect(lastResults(model)[0]?.output).toMatchObject({
      message: expect.stringContaining('the approval given was replayed'),
    });
    // And to the delete of production: another call.
    const third = desk.pending()[0];
    expect(third?.input).toEqual({ environment: 'production' });
    desk.present(third?.id as string, approval);
    await clock.settle();
    expect(lastResults(model)[0]?.output).toMatchObject({
      message: expect.stringContaining('the approval given was other-call'),
    });
    expect((await result).outcome).toBe('done');
    expect(w.deletes).toEqual(['dev-42']);
    expect([...w.environments].sort()).toEqual(['production', 'staging']);
    const entries = await audit.entries();
    expect(entries.filter((e) => e.kind === 'executed')).toHaveLength(1);
    expect(verifyAuditChain(entries).ok).toBe(true);
  });
});
