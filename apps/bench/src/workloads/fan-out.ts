import { createNode, defineActor, type Pid } from '@warden/core';
import nact from 'nact';
import { createActor, fromTransition } from 'xstate';
import { expectEqual } from '../check.js';
import { RawActor } from '../contenders/raw.js';
import {
  type Case,
  deferred,
  nextTurn,
  type Sample,
  scaled,
  TIME_MS,
  type Workload,
} from '../workload.js';

/**
 * One sender (outside the actors) sends `messages` messages to each of `actors` actors, round by
 * round, so every mailbox fills up at once; each actor counts what it gets. Measures throughput
 * with many runnable actors: the scheduler's run queue, not a single hop.
 */
export const fanOut: Workload = {
  name: 'fan-out',
  title: 'Fan-out: many actors, many messages each',
  cases(scale: number): Case[] {
    // Both dimensions shrink with the square root, so the shape stays the same.
    const actors = scaled(1000, Math.sqrt(scale));
    const messages = scaled(1000, Math.sqrt(scale));
    return [
      {
        id: 'fan-out',
        params: `${actors} actors x ${messages} messages`,
        metrics: TIME_MS,
        ops: actors * messages,
        run: {
          raw: () => raw(actors, messages),
          warden: () => warden(actors, messages),
          xstate: () => xstate(actors, messages),
          nact: () => nactRun(actors, messages),
        },
      },
    ];
  },
};

/** What every contender's actors share: the expected count and a countdown of finished actors. */
class Tally {
  remaining: number;
  delivered = 0;
  readonly done = deferred();

  constructor(
    readonly actors: number,
    readonly messages: number,
  ) {
    this.remaining = actors;
  }

  /** Called by an actor when it has received all its messages. */
  finished(count: number): void {
    this.delivered += count;
    if (--this.remaining === 0) this.done.resolve();
  }

  async measure(send: (round: number) => void): Promise<Sample> {
    await nextTurn();
    const start = performance.now();
    for (let round = 0; round < this.messages; round++) send(round);
    await this.done.promise;
    const ms = performance.now() - start;
    expectEqual('fan-out deliveries', this.delivered, this.actors * this.messages);
    return { ms };
  }
}

async function raw(actors: number, messages: number): Promise<Sample> {
  const tally = new Tally(actors, messages);
  const refs: RawActor<number>[] = [];
  for (let i = 0; i < actors; i++) {
    let count = 0;
    refs.push(new RawActor(() => ++count === messages && tally.finished(count)));
  }
  return tally.measure((round) => {
    for (const ref of refs) ref.send(round);
  });
}

interface Counter {
  count: number;
  readonly tally: Tally;
}

const counter = defineActor<Counter, Tally>({
  init: (tally) => ({ count: 0, tally }),
  handleInfo: (_round: number, state) => {
    if (++state.count === state.tally.messages) state.tally.finished(state.count);
    return state;
  },
});

async function warden(actors: number, messages: number): Promise<Sample> {
  const node = createNode({ name: 'bench' });
  try {
    const tally = new Tally(actors, messages);
    const pids: Pid[] = [];
    for (let i = 0; i < actors; i++) pids.push(node.spawn(counter, { args: tally }));
    return await tally.measure((round) => {
      for (const pid of pids) node.send(pid, round);
    });
  } finally {
    await node.stop();
  }
}

interface Round {
  readonly type: 'round';
  readonly round: number;
}

const xcounter = fromTransition(
  (state: Counter, event: Round) => {
    if (event.type === 'round' && ++state.count === state.tally.messages) {
      state.tally.finished(state.count);
    }
    return state;
  },
  ({ input }: { input: Tally }) => ({ count: 0, tally: input }),
);

async function xstate(actors: number, messages: number): Promise<Sample> {
  const tally = new Tally(actors, messages);
  const refs = Array.from({ length: actors }, () =>
    createActor(xcounter, { input: tally }).start(),
  );
  const sample = await tally.measure((round) => {
    const event: Round = { type: 'round', round };
    for (const ref of refs) ref.send(event);
  });
  for (const ref of refs) ref.stop();
  return sample;
}

function nactCount(state: Counter, _round: number): Counter {
  if (++state.count === state.tally.messages) state.tally.finished(state.count);
  return state;
}

async function nactRun(actors: number, messages: number): Promise<Sample> {
  const system = nact.start();
  try {
    const tally = new Tally(actors, messages);
    const refs = Array.from({ length: actors }, (_, i) =>
      nact.spawn(system, nactCount, `c${i}`, { initialState: { count: 0, tally } }),
    );
    return await tally.measure((round) => {
      for (const ref of refs) nact.dispatch(ref, round);
    });
  } finally {
    nact.stop(system);
  }
}
