import { assign, fromPromise, setup } from 'xstate';

/** green --1000 ms--> yellow --200 ms--> red; `timer.stop` ends it; `count` counts in context. */
export const trafficLight = setup({
  types: {
    context: {} as { count: number; cycleMs: number },
    events: {} as { type: 'timer.stop' } | { type: 'count' } | { type: 'boom' },
    input: {} as { cycleMs?: number } | undefined,
  },
  actions: {
    explode: () => {
      throw new Error('light exploded');
    },
  },
  delays: { cycle: ({ context }) => context.cycleMs },
}).createMachine({
  id: 'light',
  context: ({ input }) => ({ count: 0, cycleMs: input?.cycleMs ?? 1000 }),
  initial: 'green',
  on: {
    count: { actions: assign({ count: ({ context }) => context.count + 1 }) },
    boom: { actions: 'explode' },
    'timer.stop': '.off',
  },
  states: {
    green: { after: { cycle: 'yellow' } },
    yellow: { after: { 200: 'red' } },
    red: {},
    off: { type: 'final' },
  },
});

/** Fails by itself: after 500 ms its entry action throws (outside any message). */
export const timeBomb = setup({
  actions: {
    explode: () => {
      throw new Error('time is up');
    },
  },
}).createMachine({
  id: 'bomb',
  initial: 'ticking',
  states: {
    ticking: { after: { 500: 'exploded' } },
    exploded: { entry: 'explode' },
  },
});

/** Reaches its final state when an invoked promise resolves (outside any message). */
export const fetcher = setup({
  actors: { load: fromPromise(async () => 'loaded') },
}).createMachine({
  id: 'fetcher',
  initial: 'loading',
  states: {
    loading: { invoke: { src: 'load', onDone: 'done' } },
    done: { type: 'final' },
  },
});
