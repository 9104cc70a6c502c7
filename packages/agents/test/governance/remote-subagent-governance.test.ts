import {
  createInMemoryNetwork,
  createNode,
  isPid,
  type Node,
  type Pid,
  startSupervisor,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isAgentError } from '../../src/agent/agent-error.js';
import { agentHost, type HostStartReply } from '../../src/agent/agent-host.js';
import { runTask } from '../../src/agent/agent-protocol.js';
import { defineAgent } from '../../src/agent/define-agent.js';
import { readResult } from '../../src/agent/remote-result.js';
import { CapabilitySet } from '../../src/governance/capability-set.js';
import type { AgentResult } from '../../src/store/checkpoint.js';
import { createScriptedModel, type ScriptedTurn } from '../../src/testing/index.js';
import { defineTool } from '../../src/tools/tool.js';
import { outcomeOf } from '../agent/agent-world.js';
import { opsTools, type Ran, resultsSeen } from './governance-world.js';

const WRITE_THEN_READ: ScriptedTurn[] = [
  { toolCalls: [{ name: 'write_file', input: { path: '/srv/app/x', text: 'y' } }] },
  { toolCalls: [{ name: 'read_file', input: { path: '/srv/app/x' } }] },
  { text: 'worker done', usage: { inputTokens: 70, outputTokens: 7 } },
];

/**
 * Two nodes on one clock: `a` runs a parent whose tool hands a task to a worker on `b`, through
 * `b`'s agent host. The worker's own definition grants it everything.
 */
async function cluster(options: {
  readonly parent: CapabilitySet;
  readonly ceiling: CapabilitySet;
  readonly maxLive?: number;
}) {
  const clock = new TestClock();
  const network = createInMemoryNetwork();
  const a = createNode({ name: 'a', clock, transport: network.transport() });
  const b = createNode({ name: 'b', clock, transport: network.transport() });
  const ran: Ran[] = [];
  const worker = createScriptedModel({ clock, latencyMs: 100, script: WRITE_THEN_READ });
  const workerAgent = defineAgent({
    name: 'worker',
    model: worker,
    system: '',
    tools: opsTools(ran).all,
    capabilities: CapabilitySet.all(),
  });
  const hostBehaviour = agentHost({
    agents: [workerAgent],
    ceiling: options.ceiling,
    ...(options.maxLive === undefined ? {} : { maxLive: options.maxLive }),
  });
  await startSupervisor(b, {
    strategy: 'one_for_one',
    children: [{ id: 'host', start: { behaviour: hostBehaviour, options: { name: 'agents' } } }],
  });
  const host = b.whereis('agents') as Pid;
  let answered: unknown;
  const delegate = defineTool({
    name: 'delegate',
    description: '',
    effect: 'read',
    input: z.object({}),
    run: async (_i, ctx) => {
      answered = await ctx.spawnAgent('job', workerAgent, 'write it', { host });
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
    capabilities: options.parent,
  });
  return { clock, network, a, b, host, ran, worker, parent, answered: () => answered };
}

async function stopAll(...nodes: Node[]): Promise<void> {
  for (const node of nodes) await node.stop();
}

describe('subagents on another node', () => {
  it('gives a subagent on another node at most its parent capabilities', async () => {
    const c = await cluster({
      parent: CapabilitySet.of([
        { tools: ['delegate'], upTo: 'read' },
        { tools: '*', upTo: 'read', scopes: ['fs:/srv/'] },
      ]),
      ceiling: CapabilitySet.all(),
    });
    const result = outcomeOf(runTask(c.a, c.a.spawn(c.parent), 'go'));
    await c.clock.advance(5_000);
    expect(result.value().outcome).toBe('done');
    // The write is outside the parent's rights, the read within them.
    expect(c.ran.map((r) => r.tool)).toEqual(['read_file']);
    expect(resultsSeen(c.worker, 1)[0]?.output).toMatchObject({
      error: 'ERR_PERMISSION_DENIED',
      message: expect.stringContaining('no capability for write calls of write_file'),
    });
    expect(c.answered()).toMatchObject({ outcome: 'done', text: 'worker done' });
    // The worker ran on b, and what it spent is charged to its parent on a.
    expect(result.value().spent.inputTokens).toBeGreaterThanOrEqual(70);
    await stopAll(c.a, c.b);
  });

  it('bounds what a peer asks for by the host ceiling', async () => {
    const c = await cluster({
      parent: CapabilitySet.all(),
      ceiling: CapabilitySet.of([{ tools: ['read_file'], upTo: 'read' }]),
    });
    const result = outcomeOf(runTask(c.a, c.a.spawn(c.parent), 'go'));
    await c.clock.advance(5_000);
    expect(result.value().outcome).toBe('done');
    expect(c.ran.map((r) => r.tool)).toEqual(['read_file']);
    await stopAll(c.a, c.b);
  });

  it('never lets a peer that claims every right exceed the ceiling', async () => {
    const c = await cluster({
      parent: CapabilitySet.all(),
      ceiling: CapabilitySet.of([{ tools: ['read_file'], upTo: 'read' }]),
    });
    // A hand-made request from a peer, claiming everything.
    const forged = {
      $agentHost: 'start',
      agent: 'worker',
      capabilities: { $capabilities: 1, grants: [{ tools: '*', upTo: 'irreversible' }] },
    };
    const answer = outcomeOf(c.a.call<HostStartReply>(c.host, forged));
    await c.clock.advance(10);
    const started = answer.value();
    if (!started.ok) throw new Error(started.message);
    const result = outcomeOf(runTask(c.a, started.pid, 'write it'));
    await c.clock.advance(5_000);
    expect(result.value().outcome).toBe('done');
    expect(c.ran.map((r) => r.tool)).toEqual(['read_file']);
    await stopAll(c.a, c.b);
  });

  it('answers a bad request with a typed refusal and stays up', async () => {
    const c = await cluster({ parent: CapabilitySet.all(), ceiling: CapabilitySet.all() });
    const ask = async (request: unknown) => {
      const answer = outcomeOf(c.a.call<HostStartReply>(c.host, request));
      await c.clock.advance(10);
      return answer.value();
    };
    expect(await ask({ $agentHost: 'start', agent: 'nobody', capabilities: {} })).toMatchObject({
      ok: false,
      code: 'ERR_UNKNOWN_AGENT',
    });
    expect(await ask({ $agentHost: 'start', agent: 'worker', capabilities: 'all' })).toMatchObject({
      ok: false,
      code: 'ERR_INVALID_OPTION',
    });
    expect(await ask('hello')).toMatchObject({ ok: false, code: 'ERR_INVALID_OPTION' });
    const wire = CapabilitySet.all().toWire();
    const ok = await ask({ $agentHost: 'start', agent: 'worker', capabilities: wire });
    expect(ok.ok && isPid(ok.pid)).toBe(true);
    await stopAll(c.a, c.b);
  });

  it('refuses to start more agents for peers than maxLive, and frees a place when one ends', async () => {
    const c = await cluster({
      parent: CapabilitySet.all(),
      ceiling: CapabilitySet.all(),
      maxLive: 1,
    });
    const wire = CapabilitySet.all().toWire();
    const ask = async () => {
      const answer = outcomeOf(
        c.a.call<HostStartReply>(c.host, {
          $agentHost: 'start',
          agent: 'worker',
          capabilities: wire,
        }),
      );
      await c.clock.advance(10);
      return answer.value();
    };
    const first = await ask();
    expect(first.ok).toBe(true);
    expect(await ask()).toMatchObject({ ok: false, code: 'ERR_SUBAGENT_CEILING' });
    if (first.ok) c.b.exit(first.pid, 'kill');
    await c.clock.advance(10);
    expect((await ask()).ok).toBe(true);
    await stopAll(c.a, c.b);
  });

  it('takes the subagent down with its parent node when the nodes lose each other', async () => {
    const c = await cluster({ parent: CapabilitySet.all(), ceiling: CapabilitySet.all() });
    const result = outcomeOf(runTask(c.a, c.a.spawn(c.parent), 'go'));
    await c.clock.advance(50);
    // The worker on b is the process linked to a process on a (its supervisor there).
    const workers = () =>
      c.b.processes().filter((p) => c.b.processInfo(p)?.links.some((l) => l.node === 'a'));
    expect(workers()).toHaveLength(1);
    c.network.partition('a', 'b');
    await c.clock.advance(5_000);
    expect(workers()).toHaveLength(0);
    expect(result.settled()).toBe(true);
    await stopAll(c.a, c.b);
  });

  it('rejects options that would grant by accident', () => {
    expect(() => agentHost({ agents: [], ceiling: undefined as never })).toThrow(/ceiling/);
  });
});

describe('a subagent result from a peer', () => {
  const good: AgentResult = {
    threadId: 't',
    outcome: 'done',
    text: 'ok',
    steps: 2,
    spent: {
      steps: 2,
      inputTokens: 10,
      outputTokens: 2,
      costUsd: 0,
      wallMs: 5,
      toolCalls: 1,
      subagents: 0,
      unpriced: [],
    },
  };

  it('is read back as it was sent', () => {
    expect(readResult(structuredClone(good))).toEqual(good);
  });

  it.each([
    ['a negative count', { ...good, spent: { ...good.spent, inputTokens: -1 } }],
    ['a count that is not finite', { ...good, spent: { ...good.spent, costUsd: Number.NaN } }],
    ['an unknown outcome', { ...good, outcome: 'won' }],
    ['no spent budgets', { ...good, spent: null }],
    ['not an object', 'done'],
  ])('is refused as malformed with %s', (_why, value) => {
    let caught: unknown;
    try {
      readResult(value);
    } catch (error) {
      caught = error;
    }
    expect(isAgentError(caught, 'ERR_MALFORMED_REPLY')).toBe(true);
  });
});
