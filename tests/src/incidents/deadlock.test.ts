// Incident replay: the deadlock. Two agents edit two shared files; each takes its own
// file first, works on it, then needs the other's. With piecemeal locks and no timeout each holds
// what the other waits for and both hang for ever. With the resource mediator it either cannot
// happen (all-or-nothing acquisition in canonical order: both finish) or it is detected the moment
// the cycle closes and broken (incremental acquisition: the wait-for graph fails one agent with
// ERR_DEADLOCK; the other finishes).
import {
  type ActorContext,
  type Clock,
  createNode,
  type ExitReason,
  type NodeEvent,
  type Pid,
  startSupervisor,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { isResilienceError, type ResilienceEvent, ResourceMediator } from '@warden/resilience';
import { describe, expect, it } from 'vitest';

const WORK_MS = 1000;
const HOUR = 3_600_000;

interface AgentArgs {
  readonly name: string;
  /** The agent's own file, taken first... */
  readonly first: string;
  /** ...and the other agent's, needed after a second of work. */
  readonly second: string;
}
const AGENTS: readonly AgentArgs[] = [
  { name: 'agent-1', first: 'a.md', second: 'b.md' },
  { name: 'agent-2', first: 'b.md', second: 'a.md' },
];

/** Works on the clock for `ms`; rejects if the process ends meanwhile. */
function work(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clock.clearTimer(timer);
      reject(signal.reason);
    };
    const timer = clock.setTimer(ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A lock per file with no timeout and no deadlock detection: what the agents had before. */
class NaiveLock {
  #held = false;
  readonly #waiters: (() => void)[] = [];

  acquire(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  release(): void {
    const next = this.#waiters.shift();
    if (next === undefined) this.#held = false;
    else next();
  }
}

function world() {
  const clock = new TestClock();
  const node = createNode({ name: 'agents', clock });
  const progress: string[] = [];
  const exits = new Map<string, ExitReason>();
  const names = new Map<string, string>();
  node.inspect((e: NodeEvent) => {
    if (e.type === 'actor.exited' && names.has(e.pid.key)) {
      exits.set(names.get(e.pid.key) as string, e.reason);
    }
  });
  const log = (agent: string, step: string) => progress.push(`${clock.now()} ${agent} ${step}`);
  const spawnAgent = (behaviour: (ctx: ActorContext, args: AgentArgs) => Promise<void>) => {
    for (const args of AGENTS) names.set(node.spawn(behaviour, { args }).key, args.name);
  };
  return { clock, node, progress, exits, log, spawnAgent };
}

describe('deadlock: piecemeal locks without a timeout', () => {
  it('hangs: after a day of virtual time neither agent has progressed, and nothing can wake them', async () => {
    const { clock, node, progress, log, spawnAgent } = world();
    const locks = new Map([
      ['a.md', new NaiveLock()],
      ['b.md', new NaiveLock()],
    ]);
    spawnAgent(async (ctx, { name, first, second }) => {
      await locks.get(first)?.acquire();
      log(name, `holds ${first}`);
      await work(clock, WORK_MS, ctx.signal);
      await locks.get(second)?.acquire(); // the other agent holds it, and waits for ours
      log(name, `holds ${second}`);
      log(name, 'done');
    });
    for (let hour = 0; hour < 24; hour++) await clock.advance(HOUR);
    expect(progress).toEqual(['0 agent-1 holds a.md', '0 agent-2 holds b.md']);
    expect(node.processes()).toHaveLength(2); // both alive, both stuck
    expect(clock.nextTimerIn()).toBeUndefined(); // no timer left: nothing will ever move them
    await node.stop(); // the test ends the hang itself
    expect(node.processes()).toEqual([]);
  });
});

describe('deadlock: the resource mediator', () => {
  it('cannot deadlock with all-or-nothing acquisition in canonical order: both agents finish', async () => {
    const { clock, node, progress, exits, log, spawnAgent } = world();
    const events: ResilienceEvent[] = [];
    const mediator = new ResourceMediator({
      clock,
      node,
      resources: ['a.md', 'b.md'],
      timeoutMs: Number.POSITIVE_INFINITY, // no timeout needed: no one ever holds and waits
      observer: (e) => events.push(e),
    });
    const written: string[] = [];
    spawnAgent(async (ctx, { name, first, second }) => {
      const [mine, theirs] = await mediator.acquireAll(ctx.self, [first, second], {
        signal: ctx.signal,
      });
      log(name, `holds ${first} and ${second}`);
      await work(clock, 2 * WORK_MS, ctx.signal);
      for (const lease of [mine, theirs]) mediator.guard(lease, () => written.push(lease.resource));
      mediator.releaseAll(ctx.self);
      log(name, 'done');
    });
    await clock.advance(10 * WORK_MS);
    expect(progress).toEqual([
      '0 agent-1 holds a.md and b.md',
      '2000 agent-1 done',
      '2000 agent-2 holds b.md and a.md',
      '4000 agent-2 done',
    ]);
    expect(written).toEqual(['a.md', 'b.md', 'b.md', 'a.md']);
    expect([...exits.values()]).toEqual(['normal', 'normal']);
    expect(events.filter((e) => e.type === 'lock.denied')).toEqual([]);
    expect(mediator.holderOf('a.md')).toBeUndefined();
    expect(mediator.holderOf('b.md')).toBeUndefined();
  });

  it('detects the cycle of incremental acquisition at once, fails one agent with ERR_DEADLOCK, and the other finishes', async () => {
    const { clock, node, progress, exits, log, spawnAgent } = world();
    const events: ResilienceEvent[] = [];
    const timeoutMs = 30_000;
    const mediator = new ResourceMediator({
      clock,
      node,
      resources: ['a.md', 'b.md'],
      timeoutMs,
      observer: (e) => events.push(e),
    });
    spawnAgent(async (ctx, { name, first, second }) => {
      await mediator.acquire(ctx.self, first, { signal: ctx.signal });
      log(name, `holds ${first}`);
      await work(clock, WORK_MS, ctx.signal);
      await mediator.acquire(ctx.self, second, { signal: ctx.signal }); // agent-2: ERR_DEADLOCK
      log(name, `holds ${second}`);
      await work(clock, WORK_MS, ctx.signal);
      mediator.releaseAll(ctx.self);
      log(name, 'done');
    });
    await clock.advance(10 * WORK_MS);
    // agent-2's wait would have closed the cycle: it failed at once, at 1000 ms, far within the
    // 30 s timeout. Its exit released b.md (the mediator monitors it) and agent-1 went on.
    const denied = events.filter((e) => e.type === 'lock.denied');
    expect(denied).toEqual([
      expect.objectContaining({ time: WORK_MS, reason: 'deadlock', resources: ['a.md'] }),
    ]);
    expect((denied[0] as { cycle?: readonly string[] }).cycle).toHaveLength(2);
    expect(denied[0]?.time).toBeLessThan(WORK_MS + timeoutMs);
    const victim = exits.get('agent-2') as { tag: string; code?: string; cause?: unknown };
    expect(victim).toMatchObject({ tag: 'error', code: 'ERR_DEADLOCK' });
    expect(isResilienceError(victim.cause, 'ERR_DEADLOCK')).toBe(true);
    expect(exits.get('agent-1')).toBe('normal');
    expect(progress).toEqual([
      '0 agent-1 holds a.md',
      '0 agent-2 holds b.md',
      '1000 agent-1 holds b.md',
      '2000 agent-1 done',
    ]);
    expect(exits.size).toBe(2); // both agents are gone: one done, one failed; nobody hangs
    expect(mediator.holderOf('a.md')).toBeUndefined();
    expect(mediator.holderOf('b.md')).toBeUndefined();
  });

  it('lets a supervised victim start over and finish too: its locks go through a monitor (item 49), its supervisor restarts it (item 15)', async () => {
    const { clock, node, progress, log } = world();
    const mediator = new ResourceMediator({ clock, node, resources: ['a.md', 'b.md'] });
    const deadlocks: string[] = [];
    const agent = async (ctx: ActorContext, { name, first, second }: AgentArgs) => {
      await mediator.acquire(ctx.self, first, { signal: ctx.signal });
      log(name, `holds ${first}`);
      await work(clock, WORK_MS, ctx.signal);
      await mediator.acquire(ctx.self, second, { signal: ctx.signal }).catch((error: unknown) => {
        if (isResilienceError(error, 'ERR_DEADLOCK')) deadlocks.push(name);
        throw error; // crash: the supervisor decides what happens next
      });
      log(name, `holds ${second}`);
      await work(clock, WORK_MS, ctx.signal);
      mediator.releaseAll(ctx.self);
      log(name, 'done');
    };
    const sup = (await startSupervisor(node, {
      intensity: 3,
      children: AGENTS.map((args) => ({
        id: args.name,
        start: { behaviour: agent, args },
        restart: 'transient' as const,
      })),
    })) as Pid;
    await clock.advance(10 * WORK_MS);
    expect(deadlocks).toEqual(['agent-2']);
    expect(progress).toEqual([
      '0 agent-1 holds a.md',
      '0 agent-2 holds b.md',
      '1000 agent-1 holds b.md', // the victim's b.md, released on its exit
      '2000 agent-1 done',
      '2000 agent-2 holds b.md', // restarted at 1000, it waited behind agent-1
      '3000 agent-2 holds a.md',
      '4000 agent-2 done',
    ]);
    expect(node.isAlive(sup)).toBe(true);
    expect(mediator.holderOf('a.md')).toBeUndefined();
    expect(mediator.holderOf('b.md')).toBeUndefined();
  });
});
