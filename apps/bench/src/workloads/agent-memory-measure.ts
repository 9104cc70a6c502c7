import { agentStatus, defineAgent, MemoryCheckpointStore, tokenizerFor } from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode, type Pid } from '@warden/core';
import { BenchCheckError, expectEqual } from '../check.js';
import { AGENT_RIGS, type AgentContender } from '../contenders/agent-rigs.js';
import { AGENT_SYSTEM } from '../contenders/agent-script.js';
import { RawActor } from '../contenders/raw.js';
import { deferred, nextTurn, type Sample } from '../workload.js';

const gc = (globalThis as { gc?: () => void }).gc;

/** Heap used after two forced full GCs (meaningless without `--expose-gc`). */
async function heapUsed(): Promise<number> {
  await nextTurn();
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

/**
 * Retained heap per idle agent: `n` agent processes spawned on one node, each answering a
 * `status` call (so it has started and handled a message) with `idle`, then waiting. The node,
 * the definition and one agent exist before the first reading (the tokenizer tables load once
 * per process, not per agent), and the array of pids is allocated before it. `raw` is the bare
 * mailbox actor of the memory workload, the floor of anything that waits for messages.
 */
export async function measureIdleAgents(contender: AgentContender, n: number): Promise<Sample> {
  if (contender === 'raw') return idleRawActors(n);
  if (contender !== 'warden') throw new BenchCheckError(`${contender} has no agent processes`);
  const node = createNode({ name: 'bench-idle' });
  tokenizerFor('o200k_base');
  const agent = defineAgent({
    name: 'idle',
    model: createScriptedModel({ clock: node.clock, script: { text: 'ok' } }),
    system: AGENT_SYSTEM,
    checkpoints: new MemoryCheckpointStore(),
  });
  const first = node.spawn(agent);
  expectEqual('first agent state', (await agentStatus(node, first)).state, 'idle');
  const pids: (Pid | undefined)[] = new Array(n).fill(undefined);
  try {
    const before = await heapUsed();
    for (let i = 0; i < n; i++) pids[i] = node.spawn(agent);
    const states = await Promise.all(pids.map((pid) => agentStatus(node, pid as Pid)));
    let idle = 0;
    for (const status of states) if (status.state === 'idle') idle++;
    states.length = 0;
    const after = await heapUsed();
    expectEqual('idle agents', idle, n);
    return { bytes: (after - before) / n };
  } finally {
    await node.stop();
  }
}

async function idleRawActors(n: number): Promise<Sample> {
  const actors: (RawActor<number> | undefined)[] = new Array(n).fill(undefined);
  let seen = 0;
  const all = deferred();
  const arrived = (): void => {
    if (++seen === n) all.resolve();
  };
  const before = await heapUsed();
  for (let i = 0; i < n; i++) {
    const actor = new RawActor<number>(arrived);
    actors[i] = actor;
    actor.send(i);
  }
  await all.promise;
  const after = await heapUsed();
  for (const actor of actors) actor?.stop();
  expectEqual('raw actors that handled their message', seen, n);
  return { bytes: (after - before) / n };
}

/**
 * Retained heap per finished thread: `n` 10-step tasks, each on a thread of its own, run one
 * after the other on one rig, whose in-memory persistence then holds every thread (warden's
 * `MemoryCheckpointStore` keeps each thread's head checkpoint; LangGraph's `MemorySaver` every
 * checkpoint and write of the thread; the Agents SDK's `MemorySession` the thread's items; raw
 * the bare transcript). Two tasks run before the first reading, so what a rig builds on first
 * use is not counted.
 */
export async function measureThreadState(contender: AgentContender, n: number): Promise<Sample> {
  const rig = await AGENT_RIGS[contender]({ latencyMs: 0, agents: 1 });
  try {
    const warm = [await rig.run(0), await rig.run(1)];
    const answers: string[] = new Array(n).fill('');
    rig.dropModelLog?.();
    const before = await heapUsed();
    for (let i = 0; i < n; i++) answers[i] = await rig.run(i + warm.length);
    rig.dropModelLog?.();
    const after = await heapUsed();
    rig.tally.check(contender, n + warm.length, [...warm, ...answers]);
    return { bytes: (after - before) / n };
  } finally {
    await rig.close();
  }
}
