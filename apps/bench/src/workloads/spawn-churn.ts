import { createNode, defineActor, type Node, type Pid, stop } from '@warden/core';
import nact from 'nact';
import { type Actor, createActor, fromTransition } from 'xstate';
import { expectEqual } from '../check.js';
import type { RawActor } from '../contenders/raw.js';
import { RawRegistry, type RegisteredRawActor } from '../contenders/raw-registry.js';
import {
  type Case,
  type Deferred,
  deferred,
  type Sample,
  scaled,
  TIME_MS,
  type Workload,
} from '../workload.js';

/**
 * Actor lifecycle cost. `one-at-a-time`: an actor is spawned, handles one message, spawns its
 * successor and stops, so one actor lives at a time (xstate runs a plain loop instead: its
 * delivery is synchronous, so a chain would recurse). `all-live`: all actors are spawned and
 * handle one message each, then all are stopped from outside. Raw actors here keep a registry
 * entry and a link to their parent (`RawRegistry`), as warden's processes do.
 */
export const spawnChurn: Workload = {
  name: 'spawn-churn',
  title: 'Spawn churn: spawn, run once, stop',
  cases(scale: number): Case[] {
    const n = scaled(100_000, scale);
    return [
      {
        id: 'spawn-churn/one-at-a-time',
        params: `${n} actors, one live at a time`,
        metrics: TIME_MS,
        ops: n,
        run: {
          raw: () => rawChain(n),
          warden: () => wardenChain(n),
          xstate: () => xstateLoop(n),
          nact: () => nactChain(n),
        },
      },
      {
        id: 'spawn-churn/all-live',
        params: `${n} live actors, then stop all`,
        metrics: TIME_MS,
        ops: n,
        run: {
          raw: () => rawAll(n),
          warden: () => wardenAll(n),
          xstate: () => xstateAll(n),
          nact: () => nactAll(n),
        },
      },
    ];
  },
};

/** Shared by the actors of one run: how many there are and how many have run. */
class Churn {
  handled = 0;
  readonly done: Deferred<void> = deferred();

  constructor(readonly n: number) {}

  /** An actor ran: returns the index of its successor, or -1 when this was the last. */
  ran(index: number): number {
    this.handled++;
    if (index + 1 < this.n) return index + 1;
    this.done.resolve();
    return -1;
  }

  /** For all-live: an actor ran. */
  arrived(): void {
    if (++this.handled === this.n) this.done.resolve();
  }

  /** Checks that every actor ran and, where the runtime can list them, that none is left. */
  async finish(start: number, alive?: () => number): Promise<Sample> {
    const ms = performance.now() - start;
    expectEqual('actors that ran', this.handled, this.n);
    if (alive !== undefined) expectEqual('actors left alive', alive(), 0);
    return { ms };
  }
}

// ---- raw ---------------------------------------------------------------------------------

async function rawChain(n: number): Promise<Sample> {
  const churn = new Churn(n);
  const registry = new RawRegistry();
  const handler = (index: number, self: RawActor<number>): void => {
    const next = churn.ran(index);
    if (next >= 0) spawnNext(next, (self as RegisteredRawActor<number>).id);
    self.stop();
  };
  const spawnNext = (index: number, parent: number | undefined): void => {
    registry.spawn(handler, parent).send(index);
  };
  const start = performance.now();
  spawnNext(0, undefined);
  await churn.done.promise;
  return churn.finish(start, () => registry.size);
}

async function rawAll(n: number): Promise<Sample> {
  const churn = new Churn(n);
  const registry = new RawRegistry();
  const handler = (): void => churn.arrived();
  const start = performance.now();
  const actors: RegisteredRawActor<number>[] = [];
  for (let i = 0; i < n; i++) {
    const actor = registry.spawn<number>(handler, undefined);
    actors.push(actor);
    actor.send(i);
  }
  await churn.done.promise;
  for (const actor of actors) actor.stop();
  return churn.finish(start, () => registry.size);
}

// ---- warden ------------------------------------------------------------------------------

const chained = defineActor<Churn, Churn>({
  init: (churn) => churn,
  handleInfo: (index: number, churn, ctx) => {
    const next = churn.ran(index);
    if (next >= 0) ctx.send(ctx.spawn(chained, { args: churn }), next);
    return stop('normal', churn);
  },
});

const live = defineActor<Churn, Churn>({
  init: (churn) => churn,
  handleInfo: (_index: number, churn) => {
    churn.arrived();
    return churn;
  },
});

async function wardenRun(
  body: (node: Node, churn: Churn) => Promise<void>,
  n: number,
): Promise<Sample> {
  const node = createNode({ name: 'bench' });
  try {
    const churn = new Churn(n);
    const start = performance.now();
    await body(node, churn);
    return await churn.finish(start, () => node.processes().length);
  } finally {
    await node.stop();
  }
}

function wardenChain(n: number): Promise<Sample> {
  return wardenRun(async (node, churn) => {
    node.send(node.spawn(chained, { args: churn }), 0);
    await churn.done.promise;
    // The last actor stops right after its handler returns.
    await new Promise((resolve) => setImmediate(resolve));
  }, n);
}

function wardenAll(n: number): Promise<Sample> {
  return wardenRun(async (node, churn) => {
    const pids: Pid[] = [];
    for (let i = 0; i < n; i++) {
      const pid = node.spawn(live, { args: churn });
      pids.push(pid);
      node.send(pid, i);
    }
    await churn.done.promise;
    for (const pid of pids) node.exit(pid, 'shutdown');
  }, n);
}

// ---- xstate ------------------------------------------------------------------------------

interface Go {
  readonly type: 'go';
  readonly index: number;
}

const xchurner = fromTransition(
  (churn: Churn, event: Go) => {
    if (event.type === 'go') churn.arrived();
    return churn;
  },
  ({ input }: { input: Churn }) => input,
);

async function xstateLoop(n: number): Promise<Sample> {
  const churn = new Churn(n);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const actor = createActor(xchurner, { input: churn }).start();
    actor.send({ type: 'go', index: i });
    actor.stop();
  }
  await churn.done.promise;
  return churn.finish(start);
}

async function xstateAll(n: number): Promise<Sample> {
  const churn = new Churn(n);
  const start = performance.now();
  const actors: Actor<typeof xchurner>[] = [];
  for (let i = 0; i < n; i++) {
    const actor = createActor(xchurner, { input: churn }).start();
    actors.push(actor);
    actor.send({ type: 'go', index: i });
  }
  await churn.done.promise;
  for (const actor of actors) actor.stop();
  return churn.finish(start);
}

// ---- nact --------------------------------------------------------------------------------

async function nactChain(n: number): Promise<Sample> {
  const system = nact.start();
  try {
    const churn = new Churn(n);
    const handler = (
      state: Churn,
      index: number,
      ctx: nact.ActorContext<number, nact.ActorSystemRef>,
    ): Churn => {
      const next = state.ran(index);
      if (next >= 0) spawnNext(next);
      nact.stop(ctx.self);
      return state;
    };
    const spawnNext = (index: number): void => {
      nact.dispatch(nact.spawn(system, handler, `c${index}`, { initialState: churn }), index);
    };
    const start = performance.now();
    spawnNext(0);
    await churn.done.promise;
    return await churn.finish(start);
  } finally {
    nact.stop(system);
  }
}

async function nactAll(n: number): Promise<Sample> {
  const system = nact.start();
  try {
    const churn = new Churn(n);
    const handler = (state: Churn): Churn => {
      state.arrived();
      return state;
    };
    const start = performance.now();
    const refs = [];
    for (let i = 0; i < n; i++) {
      const ref = nact.spawn(system, handler, `c${i}`, { initialState: churn });
      refs.push(ref);
      nact.dispatch(ref, i);
    }
    await churn.done.promise;
    for (const ref of refs) nact.stop(ref);
    return await churn.finish(start);
  } finally {
    nact.stop(system);
  }
}
