import { FeatureFlags } from '@warden/resilience';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { CapabilitySet } from '../../src/governance/capability-set.js';
import { createScriptedModel } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { agentWorld, outcomeOf } from '../agent/agent-world.js';
import { opsTools, type Ran, resultsSeen } from './governance-world.js';

/** A parent whose one tool hands a task to a worker that tries to write `/srv/app/x`. */
function tree(parentCapabilities: CapabilitySet, flags?: FeatureFlags) {
  const { clock, node } = agentWorld();
  const ran: Ran[] = [];
  const worker = createScriptedModel({
    clock,
    script: [
      { toolCalls: [{ name: 'write_file', input: { path: '/srv/app/x', text: 'y' } }] },
      { text: 'worker done' },
    ],
  });
  const workerAgent = defineAgent({
    name: 'worker',
    model: worker,
    system: '',
    tools: opsTools(ran).all,
    // The worker's own definition grants it everything; its parent's rights bound it anyway.
    capabilities: CapabilitySet.all(),
  });
  const delegate = defineTool({
    name: 'delegate',
    description: '',
    effect: 'read',
    input: z.object({}),
    run: (_i, ctx) => ctx.spawnAgent('job', workerAgent, 'write it'),
  });
  const parent = defineAgent({
    name: 'parent',
    model: createScriptedModel({
      clock,
      script: [{ toolCalls: [{ name: 'delegate', input: {} }] }, { text: 'ok' }],
    }),
    system: '',
    tools: [delegate],
    capabilities: parentCapabilities,
    ...(flags === undefined ? {} : { policy: { freeze: [{ flags, flag: 'freeze' }] } }),
  });
  return { clock, node, ran, worker, parent };
}

describe('subagents under governance', () => {
  it('gives a subagent at most its parent capabilities', async () => {
    const t = tree(CapabilitySet.of([{ tools: '*', upTo: 'read' }]));
    const result = outcomeOf(runTask(t.node, t.node.spawn(t.parent), 'go'));
    await t.clock.advance(5_000);
    expect(result.value().outcome).toBe('done');
    expect(t.ran).toEqual([]);
    expect(resultsSeen(t.worker)[0]?.output).toMatchObject({
      error: 'ERR_PERMISSION_DENIED',
      message: expect.stringContaining('no capability for write calls of write_file'),
    });
  });

  it('lets a subagent do what both it and its parent may', async () => {
    const t = tree(
      CapabilitySet.of([
        { tools: ['delegate'], upTo: 'read' },
        { tools: '*', upTo: 'write', scopes: ['fs:/srv/'] },
      ]),
    );
    const result = outcomeOf(runTask(t.node, t.node.spawn(t.parent), 'go'));
    await t.clock.advance(5_000);
    expect(result.value().outcome).toBe('done');
    expect(t.ran.map((r) => r.tool)).toEqual(['write_file']);
  });

  it('freezes a whole tree with its parent switch', async () => {
    const { clock } = agentWorld();
    const flags = new FeatureFlags({ clock, flags: { freeze: true } });
    const t = tree(CapabilitySet.all(), flags);
    const result = outcomeOf(runTask(t.node, t.node.spawn(t.parent), 'go'));
    await t.clock.advance(5_000);
    expect(result.value().outcome).toBe('done');
    expect(t.ran).toEqual([]);
    expect(resultsSeen(t.worker)[0]?.output).toMatchObject({
      message: expect.stringContaining('denied by freeze:freeze'),
    });
  });
});
