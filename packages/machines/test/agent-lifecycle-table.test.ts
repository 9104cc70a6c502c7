// The agent lifecycle runs on a transition table compiled from the machine: it agrees with
// xstate's own `can` and `transition` on every state, every event and any sequence of events.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMachine, initialTransition, transition } from 'xstate';
import {
  AgentLifecycle,
  type AgentLifecycleEvent,
  type AgentLifecycleState,
  agentLifecycleMachine,
  isMachinesError,
} from '../src/index.js';
import { TransitionTable } from '../src/lifecycle/transition-table.js';

type E = AgentLifecycleEvent;

/** Every event type, with payloads on both sides of every guard (levels out of range, NaN). */
const EVENTS: readonly E[] = [
  { type: 'agent.task' },
  { type: 'agent.act', toolCalls: 0 },
  { type: 'agent.act', toolCalls: 3 },
  { type: 'agent.answer' },
  { type: 'agent.observe' },
  { type: 'agent.approval_required' },
  { type: 'agent.approved' },
  { type: 'agent.rejected' },
  { type: 'agent.compact' },
  { type: 'agent.compacted' },
  { type: 'agent.compaction_failed' },
  ...[-1, 0, 1, 2, 3, 4, 1.5, Number.NaN].map((level): E => ({ type: 'agent.degrade', level })),
  { type: 'agent.recover' },
  { type: 'agent.cancel' },
  { type: 'agent.failed', reason: 'budget steps exceeded' },
];

const STATES: readonly AgentLifecycleState[] = [
  'idle',
  'planning',
  'degraded',
  'acting',
  'awaiting_approval',
  'compacting',
  'done',
  'failed',
];

/** Reaches `state` through xstate, at degradation `level` where the path allows one. */
function viaXstate(path: readonly E[], maxLevel: number) {
  let [snapshot] = initialTransition(agentLifecycleMachine, { maxLevel });
  for (const event of path) [snapshot] = transition(agentLifecycleMachine, snapshot, event);
  return snapshot;
}

function viaTable(path: readonly E[], maxLevel: number): AgentLifecycle {
  const lifecycle = new AgentLifecycle({ maxLevel });
  for (const event of path) lifecycle.send(event);
  return lifecycle;
}

/** Paths to every state, healthy and degraded, with steps and tool calls already counted. */
const PATHS: readonly (readonly E[])[] = [
  [],
  [{ type: 'agent.degrade', level: 2 }],
  [{ type: 'agent.task' }],
  [{ type: 'agent.task' }, { type: 'agent.degrade', level: 1 }],
  [{ type: 'agent.task' }, { type: 'agent.act', toolCalls: 2 }],
  [
    { type: 'agent.degrade', level: 2 },
    { type: 'agent.task' },
    { type: 'agent.act', toolCalls: 1 },
  ],
  [
    { type: 'agent.task' },
    { type: 'agent.act', toolCalls: 1 },
    { type: 'agent.approval_required' },
  ],
  [{ type: 'agent.task' }, { type: 'agent.compact' }],
  [{ type: 'agent.degrade', level: 3 }, { type: 'agent.task' }, { type: 'agent.compact' }],
  [{ type: 'agent.task' }, { type: 'agent.answer' }],
  [{ type: 'agent.failed', reason: 'x' }],
];

describe('agent lifecycle table against xstate', () => {
  it('reaches every state of the chart through the paths below', () => {
    const reached = new Set(PATHS.map((path) => viaXstate(path, 3).value));
    expect([...reached].sort()).toEqual([...STATES].sort());
  });

  it('agrees with can and transition on every state, event and payload', () => {
    let pairs = 0;
    for (const maxLevel of [1, 3]) {
      for (const path of PATHS) {
        for (const event of EVENTS) {
          const before = viaXstate(path, maxLevel);
          const lifecycle = viaTable(path, maxLevel);
          expect(lifecycle.state).toBe(before.value);
          expect(lifecycle.context).toEqual(before.context);
          const allowed = before.can(event);
          expect(lifecycle.can(event), `${before.value} ${JSON.stringify(event)}`).toBe(allowed);
          expect(lifecycle.send(event)).toBe(allowed);
          const [after] = transition(agentLifecycleMachine, before, event);
          expect(lifecycle.state).toBe(after.value);
          expect(lifecycle.context).toEqual(after.context);
          pairs++;
        }
      }
    }
    expect(pairs).toBe(2 * PATHS.length * EVENTS.length);
  });

  it('agrees with xstate on any sequence of events', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.constantFrom(...EVENTS), { maxLength: 60 }),
        (maxLevel, events) => {
          let [snapshot] = initialTransition(agentLifecycleMachine, { maxLevel });
          const lifecycle = new AgentLifecycle({ maxLevel });
          for (const event of events) {
            expect(lifecycle.send(event)).toBe(snapshot.can(event));
            [snapshot] = transition(agentLifecycleMachine, snapshot, event);
            expect(lifecycle.state).toBe(snapshot.value);
            expect(lifecycle.context).toEqual(snapshot.context);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses an unknown event without changing anything', () => {
    const lifecycle = new AgentLifecycle();
    lifecycle.send({ type: 'agent.task' });
    const context = lifecycle.context;
    expect(lifecycle.send({ type: 'agent.nonsense' } as unknown as E)).toBe(false);
    expect(lifecycle.state).toBe('planning');
    expect(lifecycle.context).toBe(context);
  });

  it('rejects a bad input with ERR_INVALID_OPTION naming the field', () => {
    let error: unknown;
    try {
      new AgentLifecycle({ maxLevel: 0 });
    } catch (e) {
      error = e;
    }
    expect(isMachinesError(error, 'ERR_INVALID_OPTION')).toBe(true);
    expect((error as { field: string }).field).toBe('maxLevel');
  });
});

describe('TransitionTable', () => {
  it('refuses to compile what it could not run as xstate does', () => {
    const nested = createMachine({
      initial: 'a',
      states: { a: { initial: 'x', states: { x: {} } } },
    });
    const entry = createMachine({
      initial: 'a',
      states: { a: { entry: () => undefined, on: { go: 'b' } }, b: {} },
    });
    const eventless = createMachine({ initial: 'a', states: { a: { always: 'b' }, b: {} } });
    const delayed = createMachine({ initial: 'a', states: { a: { after: { 10: 'b' } }, b: {} } });
    const sideEffect = createMachine({
      initial: 'a',
      states: { a: { on: { go: { target: 'b', actions: () => undefined } } }, b: {} },
    });
    const wildcard = createMachine({ initial: 'a', states: { a: { on: { '*': 'b' } }, b: {} } });
    for (const machine of [nested, entry, eventless, delayed, sideEffect, wildcard]) {
      expect(() => new TransitionTable(machine), JSON.stringify(machine.config)).toThrow(
        /transition table cannot run/,
      );
    }
  });
});
