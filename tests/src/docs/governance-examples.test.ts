/**
 * The code examples of docs/agents/governance.md, each between `// #region name` and
 * `// #endregion`; docs-examples.test.ts checks the docs hold them word for word.
 */
import {
  ApprovalDesk,
  agentStatus,
  CapabilitySet,
  defineAgent,
  defineTool,
  MemoryAuditLog,
  runTask,
  verifyAuditChain,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { FeatureFlags } from '@warden/resilience';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

function tools(ran: string[]) {
  const writeFile = defineTool({
    name: 'write_file',
    description: 'Writes a file',
    effect: 'write',
    input: z.object({ path: z.string(), text: z.string() }),
    scope: ({ path }) => `fs:${path}`,
    run: ({ path }) => {
      ran.push(`write ${path}`);
      return 'written';
    },
  });
  // #region governance-tool
  const deleteEnvironment = defineTool({
    name: 'delete_environment',
    description: 'Deletes an environment and everything in it',
    effect: 'irreversible',
    input: z.object({ environment: z.string() }),
    // The resource a call touches, read from its validated input: what capabilities and
    // approvals are bound to.
    scope: ({ environment }) => `env:${environment}`,
    run: ({ environment }) => deleteEnv(environment),
  });
  // #endregion
  function deleteEnv(environment: string): string {
    ran.push(`delete ${environment}`);
    return `deleted ${environment}`;
  }
  return { writeFile, deleteEnvironment };
}

describe('docs/agents/governance.md examples', () => {
  it('capabilities bound what an agent may do, whatever the model says', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const ran: string[] = [];
    const { writeFile, deleteEnvironment } = tools(ran);
    const model = createScriptedModel({
      clock,
      script: [
        { toolCalls: [{ name: 'write_file', input: { path: '/etc/passwd', text: 'x' } }] },
        { text: 'I could not.' },
      ],
    });
    // #region governance-capabilities
    const coder = defineAgent({
      name: 'coder',
      model,
      system: 'You fix bugs in /srv/app.',
      tools: [writeFile, deleteEnvironment],
      // Writes under /srv/app/ only; delete_environment is not granted at all.
      capabilities: CapabilitySet.of([
        { tools: ['write_file'], upTo: 'write', scopes: ['fs:/srv/app/'] },
      ]),
    });
    const result = await runTask(node, node.spawn(coder), 'Fix the login bug');
    // The model asked for write_file on /etc/passwd and was answered, as the call's result:
    // { error: 'ERR_PERMISSION_DENIED', message: 'write_file was not run: denied by
    //   capability: no capability for write_file on fs:/etc/passwd' }
    // #endregion
    expect(result.outcome).toBe('done');
    expect(ran).toEqual([]);
    const told = model.calls[1]?.request.messages.at(-1)?.content[0];
    expect(told).toMatchObject({
      isError: true,
      output: {
        error: 'ERR_PERMISSION_DENIED',
        message:
          'write_file was not run: denied by capability: no capability for write_file on fs:/etc/passwd',
      },
    });
  });

  it('an irreversible call waits for a person, who approves exactly that call', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const ran: string[] = [];
    const { writeFile, deleteEnvironment } = tools(ran);
    const model = createScriptedModel({
      clock,
      script: [
        { toolCalls: [{ name: 'delete_environment', input: { environment: 'dev-42' } }] },
        { text: 'Rebuilt.' },
      ],
    });
    // #region governance-approval
    const desk = new ApprovalDesk({ clock: node.clock, timeoutMs: 15 * 60_000 });
    const audit = new MemoryAuditLog();
    const ops = defineAgent({
      name: 'ops',
      model,
      system: 'You run environments.',
      tools: [writeFile, deleteEnvironment],
      policy: { rules: [{ id: 'owner-approves', tools: ['delete_environment'], decision: 'ask' }] },
      approvals: { desk }, // nobody answering in 15 minutes is a denial
      audit,
    });
    const pid = node.spawn(ops);
    const done = runTask(node, pid, 'Rebuild dev-42');
    await clock.settle();
    // await agentStatus(node, pid) -> { state: 'awaiting_approval', ... }
    // The operator API (what a dashboard shows): the exact call, its resource, who asked.
    const request = desk.pending().find((r) => r.tool === 'delete_environment');
    // request: { tool: 'delete_environment', input: { environment: 'dev-42' },
    //   resource: 'env:dev-42', rule: 'rule:owner-approves', requester: 'agent:ops', deadline }
    if (request !== undefined) await desk.approve(request.id, { approver: 'dana' }); // not 'ops'
    await done; // the delete ran once; the approval is used up
    verifyAuditChain(await audit.entries()); // { ok: true, entries: 4 }
    // #endregion
    expect(request?.resource).toBe('env:dev-42');
    expect(ran).toEqual(['delete dev-42']);
    expect((await done).outcome).toBe('done');
    expect(await agentStatus(node, pid)).toMatchObject({ state: 'done' });
    expect(verifyAuditChain(await audit.entries())).toEqual({ ok: true, entries: 4 });
    expect((await audit.entries()).map((e) => e.kind)).toEqual([
      'requested',
      'allowed',
      'executed',
      'result',
    ]);
  });

  it('a freeze denies every write and irreversible call at once, and lifts without a restart', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const ran: string[] = [];
    const { writeFile, deleteEnvironment } = tools(ran);
    const write = { toolCalls: [{ name: 'write_file', input: { path: '/srv/app/a', text: 'x' } }] };
    const model = createScriptedModel({
      clock,
      script: [write, { text: 'frozen' }, write, { text: 'written' }],
    });
    // #region governance-freeze
    const flags = new FeatureFlags({ clock: node.clock, flags: { freeze: false } });
    const builder = defineAgent({
      name: 'builder',
      model,
      system: 'CODE FREEZE. Change nothing.', // advice to the model; the flag is the rule
      tools: [writeFile, deleteEnvironment],
      policy: { freeze: [{ flags, flag: 'freeze' }] },
    });
    const pid = node.spawn(builder);
    flags.enable('freeze', 'release week');
    await runTask(node, pid, 'Tidy the config'); // write_file: denied by freeze:freeze
    flags.disable('freeze', 'released');
    await runTask(node, pid, 'Tidy the config'); // the same process: write_file runs
    // #endregion
    expect(ran).toEqual(['write /srv/app/a']);
  });
});
