import { createNode } from '@warden/core';
import { fromMachine, getSnapshot } from '@warden/machines';
import { assign, createActor, createMachine } from 'xstate';
import { expectEqual } from '../check.js';
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
 * The cost of running an xstate machine as a warden actor (`fromMachine`) over using the xstate
 * actor directly. The same machine, a toggle that counts its events and reports when it has
 * counted N, receives N events: through `node.send(pid, event)` to the `fromMachine` process
 * (warden), or through `actor.send(event)` on `createActor(machine).start()` (xstate). The time
 * ends when the machine has processed the last event. Both send the same frozen event object.
 *
 * xstate processes an event sent to an idle actor synchronously, in the sender's stack; warden
 * queues every event in the process's mailbox (unbounded here: the sender is a plain loop that
 * does not wait) and the scheduler feeds them to the xstate actor inside the process.
 */
export const fromMachineOverhead: Workload = {
  name: 'from-machine',
  title: 'fromMachine: an xstate machine as a warden actor, against the xstate actor alone',
  cases(scale: number): Case[] {
    const n = scaled(200_000, scale, 10);
    return [
      {
        id: 'from-machine',
        params: `${n} events to a counting toggle machine`,
        metrics: TIME_MS,
        ops: n,
        baseline: 'xstate',
        run: {
          xstate: () => direct(n),
          warden: () => warden(n),
        },
      },
    ];
  },
};

interface ToggleInput {
  readonly n: number;
  readonly done: (count: number) => void;
}

interface ToggleContext extends ToggleInput {
  readonly count: number;
}

/** Flips between `off` and `on` on every `toggle`, counts, and calls `done` at the n-th. */
const toggle = createMachine({
  types: {} as {
    context: ToggleContext;
    input: ToggleInput;
    events: { type: 'toggle' };
  },
  id: 'toggle',
  context: ({ input }) => ({ ...input, count: 0 }),
  initial: 'off',
  states: {
    off: { on: { toggle: { target: 'on', actions: ['count', 'report'] } } },
    on: { on: { toggle: { target: 'off', actions: ['count', 'report'] } } },
  },
}).provide({
  actions: {
    count: assign({ count: ({ context }) => context.count + 1 }),
    report: ({ context }) => {
      if (context.count === context.n) context.done(context.count);
    },
  },
});

const TOGGLE = Object.freeze({ type: 'toggle' as const });

/** The state the machine is in after `n` toggles from `off`. */
const stateAfter = (n: number): string => (n % 2 === 0 ? 'off' : 'on');

async function direct(n: number): Promise<Sample> {
  const done = deferred<number>();
  const actor = createActor(toggle, { input: { n, done: done.resolve } }).start();
  try {
    const start = performance.now();
    for (let i = 0; i < n; i++) actor.send(TOGGLE);
    const count = await done.promise;
    const ms = performance.now() - start;
    const snapshot = actor.getSnapshot();
    expectEqual('events counted', count, n);
    expectEqual('events counted in the snapshot', snapshot.context.count, n);
    expectEqual('final state', snapshot.value, stateAfter(n));
    return { ms };
  } finally {
    actor.stop();
  }
}

async function warden(n: number): Promise<Sample> {
  const node = createNode({ name: 'bench', mailbox: { capacity: Infinity } });
  try {
    const done = deferred<number>();
    const pid = node.spawn(fromMachine(toggle), { args: { n, done: done.resolve } });
    await nextTurn();
    const start = performance.now();
    for (let i = 0; i < n; i++) node.send(pid, TOGGLE);
    const count = await done.promise;
    const ms = performance.now() - start;
    const snapshot = await getSnapshot<ToggleContext>(node, pid);
    expectEqual('events counted', count, n);
    expectEqual('events counted in the snapshot', snapshot.context.count, n);
    expectEqual('final state', snapshot.value, stateAfter(n));
    expectEqual('dead letters', node.deadLetters.count, 0);
    return { ms };
  } finally {
    await node.stop();
  }
}
