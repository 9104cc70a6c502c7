/**
 * The world of the memory-sync incident, on a TestClock. A main agent and its memory-sync
 * subagents share a model quota (calls per minute: a token bucket), the API's concurrency quota
 * (open sessions: a semaphore) and one set of memory files (a resource of the mediator). A
 * context monitor starts a sync every 6 minutes; a watchdog watches every sync that works.
 *
 * A sync opens its session, waits for the memory files, then makes its calls; every few calls it
 * needs a second session for a moment (a summary). That is hold-and-wait across two mechanisms
 * no single detector sees: once the waiting duplicates hold every free session, the holder of
 * the files waits for a session for ever, and the system hangs until the watchdog fires.
 *
 * Each run builds a fresh world; `guarded` decides whether the monitor goes through `spawnOnce`
 * or starts a sync on every firing, as in the original incident.
 */
import {
  type ActorContext,
  type Clock,
  createNode,
  type Node,
  type Pid,
  startDynamicChild,
  startSupervisor,
} from '@warden/core';
import { TestClock } from '@warden/core/testing';
import {
  heartbeat,
  type ResilienceEvent,
  ResourceMediator,
  Semaphore,
  SpawnOnceGuard,
  TokenBucket,
  Watchdog,
} from '@warden/resilience';

export const MINUTE = 60_000;

export interface WorldParams {
  /** Model calls per minute for everyone together. */
  readonly quotaPerMinute: number;
  /** Model sessions open at once (the API's concurrency quota). The main agent keeps one. */
  readonly sessions: number;
  /** A sync opens a second, short session for a summary every this many calls. */
  readonly summaryEvery: number;
  /** The main agent's own steady use of the quota. */
  readonly mainAgentPerMinute: number;
  /** Each live sync keeps its context warm with this many calls per minute, working or waiting. */
  readonly keepAlivePerMinute: number;
  /** Model calls a sync makes while it holds the memory files. */
  readonly syncCalls: number;
  /** The first sync also works through the backlog: this many calls more. */
  readonly backlogCalls: number;
  readonly monitorEveryMs: number;
  readonly watchdogTimeoutMs: number;
  readonly watchdogGraceMs: number;
}

/**
 * Tuned so that a sync alone takes 4-5 minutes (the "4-minute-plus" of the report), the first
 * sync's backlog makes it overrun the next firing, and from then on the duplicates' warm
 * contexts slow the lock holder enough that they pile up until they hold every session.
 */
export const INCIDENT: WorldParams = {
  quotaPerMinute: 9,
  sessions: 5,
  summaryEvery: 4,
  mainAgentPerMinute: 4,
  keepAlivePerMinute: 3,
  syncCalls: 20,
  backlogCalls: 36,
  monitorEveryMs: 6 * MINUTE,
  watchdogTimeoutMs: 5 * MINUTE,
  watchdogGraceMs: 30_000,
};

export interface SyncArgs {
  readonly calls: number;
  /** A sync that hangs after this many calls (a bug in the sync itself). */
  readonly hangAfter?: number;
}

export interface World {
  readonly clock: TestClock;
  readonly node: Node;
  readonly events: ResilienceEvent[];
  /** Every sync ever started, in start order. */
  readonly syncs: Pid[];
  /** When each sync that finished its work wrote the memory files. */
  readonly completed: { pid: Pid; at: number }[];
  /** Memory writes refused because the writer's fencing token was stale. */
  readonly fencedWrites: number;
  /** Monitor firings and what they led to. */
  readonly firings: { at: number; outcome: string }[];
  /** Syncs alive now. */
  aliveSyncs(): number;
}

/** Sleeps on the clock; rejects when the signal aborts (the process ended). */
function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
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

export async function buildWorld(
  params: WorldParams,
  options: { guarded: boolean; hangingSync?: number },
): Promise<World> {
  const clock = new TestClock();
  const node = createNode({ name: 'agent', clock });
  const events: ResilienceEvent[] = [];
  const observer = (e: ResilienceEvent) => events.push(e);
  const quota = new TokenBucket({
    clock,
    name: 'model-quota',
    ratePerSecond: params.quotaPerMinute / 60,
    burst: 1,
    maxWaitMs: 24 * 60 * MINUTE,
    maxQueue: 10_000,
  });
  const sessions = new Semaphore({
    clock,
    name: 'model-sessions',
    maxConcurrent: params.sessions,
    maxQueue: 1000,
  });
  const mediator = new ResourceMediator({
    clock,
    node,
    resources: ['memory-files'],
    timeoutMs: Number.POSITIVE_INFINITY,
    observer,
  });
  const syncs: Pid[] = [];
  const completed: { pid: Pid; at: number }[] = [];
  const firings: { at: number; outcome: string }[] = [];
  const counters = { fenced: 0 };

  node.spawn(Watchdog, {
    name: 'watchdog',
    args: { timeoutMs: params.watchdogTimeoutMs, graceMs: params.watchdogGraceMs, observer },
  });

  const sync = async (ctx: ActorContext, args: SyncArgs) => {
    syncs.push(ctx.self);
    // A subagent opens its model session first and keeps it to the end.
    const session = await sessions.acquire({ signal: ctx.signal });
    ctx.signal.addEventListener('abort', () => session.release());
    // Its context stays warm (and costs quota) from start to end, waiting or working.
    void (async () => {
      for (;;) {
        await pause(clock, MINUTE / params.keepAlivePerMinute, ctx.signal);
        await quota.take({ signal: ctx.signal });
      }
    })().catch(() => {});
    const [files] = await mediator.acquireAll(ctx.self, ['memory-files'], { signal: ctx.signal });
    for (let call = 0; call < args.calls; call++) {
      if (call === args.hangAfter) await new Promise(() => {}); // the sync itself hangs
      await quota.take({ signal: ctx.signal });
      if ((call + 1) % params.summaryEvery === 0) {
        // A summary needs a second session for a moment: hold-and-wait on the session quota.
        const extra = await sessions.acquire({ signal: ctx.signal });
        await quota.take({ signal: ctx.signal }).finally(() => extra.release());
      }
      heartbeat(ctx, 'watchdog');
    }
    try {
      mediator.guard(files as NonNullable<typeof files>, () =>
        completed.push({ pid: ctx.self, at: clock.now() }),
      );
    } catch {
      counters.fenced++;
    }
    files?.release();
    session.release();
  };

  const sup = (await startSupervisor(node, {
    strategy: 'simple_one_for_one',
    intensity: 100,
    children: [
      {
        id: 'memory-sync',
        start: { behaviour: sync },
        restart: 'temporary',
        shutdown: 'brutal_kill',
      },
    ],
  })) as Pid;
  const guard = new SpawnOnceGuard({
    node,
    supervisor: sup,
    ceilings: { 'memory-sync': 1 },
    observer,
  });

  // The main agent: keeps one session and uses the same quota steadily.
  node.spawn(async (ctx) => {
    await sessions.acquire({ signal: ctx.signal });
    for (;;) {
      await quota.take({ signal: ctx.signal });
      await pause(clock, MINUTE / params.mainAgentPerMinute, ctx.signal);
    }
  });

  // The context monitor: fires every 6 minutes and starts a memory sync.
  node.spawn(async (ctx) => {
    for (let firing = 1; ; firing++) {
      await pause(clock, params.monitorEveryMs, ctx.signal);
      const calls = params.syncCalls + (firing === 1 ? params.backlogCalls : 0);
      const args: SyncArgs = firing === options.hangingSync ? { calls, hangAfter: 3 } : { calls };
      const at = clock.now();
      if (options.guarded) {
        const result = await guard
          .spawnOnce('memory-sync', { extra: args })
          .catch((e: { code?: string }) => ({ outcome: e.code ?? 'error' }));
        firings.push({ at, outcome: result.outcome });
      } else {
        const result = await startDynamicChild(ctx, sup, args);
        firings.push({ at, outcome: result.ok ? 'started' : 'failed' });
      }
    }
  });

  return {
    clock,
    node,
    events,
    syncs,
    completed,
    firings,
    get fencedWrites() {
      return counters.fenced;
    },
    aliveSyncs: () => syncs.filter((p) => node.isAlive(p)).length,
  };
}

/** Advances the world minute by minute; returns the number of syncs alive after each minute. */
export async function run(world: World, minutes: number): Promise<number[]> {
  const alive: number[] = [];
  for (let m = 0; m < minutes; m++) {
    await world.clock.advance(MINUTE);
    alive.push(world.aliveSyncs());
  }
  return alive;
}
