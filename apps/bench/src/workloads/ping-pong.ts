import { createNode, defineActor, type Pid } from '@warden/core';
import nact from 'nact';
import { createActor, fromTransition } from 'xstate';
import { expectEqual } from '../check.js';
import { RawActor } from '../contenders/raw.js';
import { type Case, deferred, type Sample, scaled, TIME_MS, type Workload } from '../workload.js';

/**
 * Two actors hit a ball back and forth: each delivery is answered by one send, so exactly one
 * message is in flight. Measures the cost of one hop: enqueue, schedule, dequeue, dispatch.
 */
export const pingPong: Workload = {
  name: 'ping-pong',
  title: 'Ping-pong: deliveries between two actors, one in flight',
  cases(scale: number): Case[] {
    const n = scaled(1_000_000, scale, 2);
    return [
      {
        id: 'ping-pong',
        params: `${n} deliveries`,
        metrics: TIME_MS,
        ops: n,
        run: {
          raw: () => raw(n),
          warden: () => warden(n),
          xstate: () => xstate(n),
          nact: () => nactRun(n),
        },
      },
    ];
  },
};

async function raw(n: number): Promise<Sample> {
  const done = deferred<number>();
  const a: RawActor<number> = new RawActor((ball) =>
    ball + 1 === n ? done.resolve(ball + 1) : b.send(ball + 1),
  );
  const b: RawActor<number> = new RawActor((ball) =>
    ball + 1 === n ? done.resolve(ball + 1) : a.send(ball + 1),
  );
  const start = performance.now();
  a.send(0);
  const deliveries = await done.promise;
  const ms = performance.now() - start;
  expectEqual('ping-pong deliveries', deliveries, n);
  return { ms };
}

interface PlayerState {
  peer: Pid | undefined;
  readonly n: number;
  readonly done: (deliveries: number) => void;
}

/** A player learns its peer from a first pid message, then returns every ball. */
const player = defineActor<PlayerState, PlayerState>({
  init: (state) => state,
  handleInfo: (ball: number | Pid, state, ctx) => {
    if (typeof ball !== 'number') {
      state.peer = ball;
    } else if (ball + 1 === state.n) {
      state.done(ball + 1);
    } else {
      ctx.send(state.peer as Pid, ball + 1);
    }
    return state;
  },
});

async function warden(n: number): Promise<Sample> {
  const node = createNode({ name: 'bench' });
  try {
    const done = deferred<number>();
    const a = node.spawn(player, { args: { peer: undefined, n, done: done.resolve } });
    const b = node.spawn(player, { args: { peer: a, n, done: done.resolve } });
    node.send(a, b);
    await new Promise((resolve) => setImmediate(resolve));
    const start = performance.now();
    node.send(a, 0);
    const deliveries = await done.promise;
    const ms = performance.now() - start;
    expectEqual('ping-pong deliveries', deliveries, n);
    return { ms };
  } finally {
    await node.stop();
  }
}

interface Ball {
  readonly type: 'ball';
  readonly n: number;
}

interface XPlayer {
  peer: { send(event: Ball): void } | undefined;
  readonly n: number;
  readonly done: (deliveries: number) => void;
}

/** xstate's cheapest actor logic: a transition function; an event must be an object with a type. */
const xplayer = fromTransition(
  (state: XPlayer, event: Ball) => {
    if (event.type !== 'ball') return state;
    if (event.n + 1 === state.n) state.done(event.n + 1);
    else state.peer?.send({ type: 'ball', n: event.n + 1 });
    return state;
  },
  ({ input }: { input: XPlayer }) => input,
);

async function xstate(n: number): Promise<Sample> {
  const done = deferred<number>();
  const sa: XPlayer = { peer: undefined, n, done: done.resolve };
  const sb: XPlayer = { peer: undefined, n, done: done.resolve };
  const a = createActor(xplayer, { input: sa }).start();
  const b = createActor(xplayer, { input: sb }).start();
  sa.peer = b;
  sb.peer = a;
  const start = performance.now();
  a.send({ type: 'ball', n: 0 });
  const deliveries = await done.promise;
  const ms = performance.now() - start;
  a.stop();
  b.stop();
  expectEqual('ping-pong deliveries', deliveries, n);
  return { ms };
}

interface NactPlayer {
  peer: nact.Ref<number> | undefined;
  readonly n: number;
  readonly done: (deliveries: number) => void;
}

function nactPlay(state: NactPlayer, ball: number): NactPlayer {
  if (ball + 1 === state.n) state.done(ball + 1);
  else nact.dispatch(state.peer as nact.Ref<number>, ball + 1);
  return state;
}

async function nactRun(n: number): Promise<Sample> {
  const system = nact.start();
  try {
    const done = deferred<number>();
    const sa: NactPlayer = { peer: undefined, n, done: done.resolve };
    const sb: NactPlayer = { peer: undefined, n, done: done.resolve };
    const a = nact.spawn(system, nactPlay, 'a', { initialState: sa });
    sa.peer = nact.spawn(system, nactPlay, 'b', { initialState: sb });
    sb.peer = a;
    const start = performance.now();
    nact.dispatch(a, 0);
    const deliveries = await done.promise;
    const ms = performance.now() - start;
    expectEqual('ping-pong deliveries', deliveries, n);
    return { ms };
  } finally {
    nact.stop(system);
  }
}
