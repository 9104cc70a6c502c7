// A subagent started on another node over real WebSockets on 127.0.0.1: what crosses the wire is
// data (the parent's capabilities as `CapabilityWire`, the host's answer, the subagent's result),
// and the host bounds what it reads by its ceiling.
import {
  agentHost,
  CapabilitySet,
  defineAgent,
  defineTool,
  type HostStartReply,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { type Pid, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Cluster } from './cluster.js';
import { makeWsCluster } from './ws-cluster.js';

let open: Cluster | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

function world(clock: TestClock, ran: string[]) {
  const tool = (name: string, effect: 'read' | 'irreversible') =>
    defineTool({
      name,
      description: name,
      effect,
      input: z.object({ id: z.number() }),
      run: ({ id }) => {
        ran.push(`${name} ${id}`);
        return `${name} ${id} done`;
      },
    });
  const worker = createScriptedModel({
    clock,
    latencyMs: 100,
    script: [
      { toolCalls: [{ name: 'delete_env', input: { id: 1 } }] },
      { toolCalls: [{ name: 'lookup', input: { id: 2 } }] },
      { text: 'worker done', usage: { inputTokens: 50, outputTokens: 5 } },
    ],
  });
  const workerAgent = defineAgent({
    name: 'worker',
    model: worker,
    system: '',
    tools: [tool('lookup', 'read'), tool('delete_env', 'irreversible')],
    capabilities: CapabilitySet.all(),
  });
  return { worker, workerAgent };
}

/** Two nodes over WebSockets on `clock`; `b` runs an agent host serving the worker under `ceiling`. */
async function hostOnB(clock: TestClock, ranOnB: string[], ceiling: CapabilitySet) {
  open = await makeWsCluster(['a', 'b'], clock);
  const [a, b] = open.nodes as [NonNullable<Cluster['nodes'][0]>, NonNullable<Cluster['nodes'][0]>];
  const onB = world(clock, ranOnB);
  await startSupervisor(b, {
    strategy: 'one_for_one',
    children: [
      {
        id: 'host',
        start: {
          behaviour: agentHost({ agents: [onB.workerAgent], ceiling }),
          options: { name: 'agents' },
        },
      },
    ],
  });
  return { a, host: b.whereis('agents') as Pid };
}

describe('subagents on another node over WebSockets', () => {
  it('runs a subagent on the host node with at most its parent capabilities', async () => {
    const clock = new TestClock();
    const ranOnA: string[] = [];
    const ranOnB: string[] = [];
    const { a, host } = await hostOnB(clock, ranOnB, CapabilitySet.all());
    // The parent's node has its own copy of the definition (as every node of an application
    // does); only its name crosses the wire.
    const onA = world(clock, ranOnA);
    let answered: unknown;
    const delegate = defineTool({
      name: 'delegate',
      description: '',
      effect: 'read',
      input: z.object({}),
      run: async (_i, ctx) => {
        answered = await ctx.spawnAgent('job', onA.workerAgent, 'clean up', { host });
        return answered;
      },
    });
    const parent = defineAgent({
      name: 'parent',
      model: createScriptedModel({
        clock,
        script: [{ toolCalls: [{ name: 'delegate', input: {} }] }, { text: 'ok' }],
      }),
      system: '',
      tools: [delegate],
      capabilities: CapabilitySet.of([{ tools: ['delegate', 'lookup'], upTo: 'read' }]),
    });
    const result = runTask(a, a.spawn(parent), 'go');
    await clock.advance(2_000);
    expect((await result).outcome).toBe('done');
    expect(ranOnA).toEqual([]);
    expect(ranOnB).toEqual(['lookup 2']);
    expect(answered).toMatchObject({ outcome: 'done', text: 'worker done' });
    expect((await result).spent.inputTokens).toBeGreaterThanOrEqual(50);
  });

  it('answers a forged request over the wire with no more than the ceiling', async () => {
    const clock = new TestClock();
    const ranOnB: string[] = [];
    const { a, host } = await hostOnB(
      clock,
      ranOnB,
      CapabilitySet.of([{ tools: ['lookup'], upTo: 'read' }]),
    );
    const answer = a.call<HostStartReply>(host, {
      $agentHost: 'start',
      agent: 'worker',
      capabilities: { $capabilities: 1, grants: [{ tools: '*', upTo: 'irreversible' }] },
    });
    await clock.advance(10);
    const started = await answer;
    if (!started.ok) throw new Error(started.message);
    const result = runTask(a, started.pid, 'clean up');
    await clock.advance(2_000);
    expect((await result).outcome).toBe('done');
    expect(ranOnB).toEqual(['lookup 2']);
  });
});
