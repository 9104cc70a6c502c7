// The agent lifecycle statechart: allowed and forbidden transitions, table-driven.
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { type AgentLifecycleEvent, agentLifecycleMachine, isMachinesError } from '../src/index.js';

type E = AgentLifecycleEvent;
const started: E = { type: 'agent.started' };
const task: E = { type: 'agent.task' };
const done: E = { type: 'agent.done' };
const toolCall: E = { type: 'agent.tool_call' };
const approvalRequired: E = { type: 'agent.approval_required' };
const approved: E = { type: 'agent.approved' };
const rejected: E = { type: 'agent.rejected' };
const drain: E = { type: 'agent.drain' };
const stop: E = { type: 'agent.stop' };
const restart: E = { type: 'agent.restart' };
const recover: E = { type: 'agent.recover' };
const failed: E = { type: 'agent.failed', reason: 'model unreachable' };
const degrade = (level: number): E => ({ type: 'agent.degrade', level });

/** How to reach each state from the start. */
const PATHS = {
  starting: [],
  ready: [started],
  busy: [started, task],
  degraded: [started, degrade(1)],
  awaiting_approval: [started, task, approvalRequired],
  draining: [started, task, drain],
  crashed: [failed],
  restarting: [failed, restart],
  stopped: [stop],
} satisfies Record<string, E[]>;

type StateName = keyof typeof PATHS;

function reach(path: readonly E[], input?: { maxLevel?: number; maxRestarts?: number }) {
  let [snapshot] = initialTransition(agentLifecycleMachine, input);
  for (const event of path) [snapshot] = transition(agentLifecycleMachine, snapshot, event);
  return snapshot;
}

const allowed: [from: StateName, event: E, to: StateName][] = [
  ['starting', started, 'ready'],
  ['starting', failed, 'crashed'],
  ['ready', task, 'busy'],
  ['ready', degrade(2), 'degraded'],
  ['ready', drain, 'stopped'],
  ['busy', toolCall, 'busy'],
  ['busy', approvalRequired, 'awaiting_approval'],
  ['busy', done, 'ready'],
  ['busy', drain, 'draining'],
  ['busy', failed, 'crashed'],
  ['awaiting_approval', approved, 'busy'],
  ['awaiting_approval', rejected, 'ready'],
  ['awaiting_approval', drain, 'stopped'],
  ['degraded', task, 'busy'],
  ['degraded', recover, 'ready'],
  ['degraded', degrade(3), 'degraded'],
  ['draining', toolCall, 'draining'],
  ['draining', done, 'stopped'],
  ['draining', stop, 'stopped'],
  ['crashed', restart, 'restarting'],
  ['crashed', stop, 'stopped'],
  ['restarting', started, 'ready'],
  ['restarting', failed, 'crashed'],
];

const forbidden: [from: StateName, event: E, why: string][] = [
  ['draining', task, 'no new task while draining'],
  ['awaiting_approval', toolCall, 'no tool call while awaiting approval'],
  ['awaiting_approval', task, 'one task at a time'],
  ['busy', task, 'one task at a time'],
  ['starting', task, 'no work before the agent has started'],
  ['ready', toolCall, 'no tool call outside a task'],
  ['ready', approved, 'nothing awaits approval'],
  ['ready', degrade(0), 'a degradation level starts at 1'],
  ['ready', degrade(4), 'a degradation level is at most maxLevel'],
  ['ready', degrade(1.5), 'a degradation level is an integer'],
  ['crashed', task, 'a crashed agent does nothing but restart or stop'],
  ['crashed', started, 'a crashed agent must restart first'],
  ['stopped', started, 'stopped is final'],
  ['stopped', restart, 'stopped is final'],
];

describe('agent lifecycle: allowed transitions', () => {
  it.each(allowed)('%s --%o--> %s', (from, event, to) => {
    const before = reach(PATHS[from]);
    expect(before.value).toBe(from);
    expect(before.can(event)).toBe(true);
    const [after] = transition(agentLifecycleMachine, before, event);
    expect(after.value).toBe(to);
  });
});

describe('agent lifecycle: forbidden transitions', () => {
  it.each(forbidden)('refuses %s --%o (%s)', (from, event) => {
    const before = reach(PATHS[from]);
    expect(before.can(event)).toBe(false);
    const [after] = transition(agentLifecycleMachine, before, event);
    expect(after.value).toBe(before.value);
    expect(after.context).toEqual(before.context);
  });
});

describe('agent lifecycle: context', () => {
  it('keeps its degradation level through a task and returns to degraded when the task ends', () => {
    const snapshot = reach([started, degrade(2), task, toolCall, toolCall, done]);
    expect(snapshot.value).toBe('degraded');
    expect(snapshot.context).toMatchObject({ level: 2, toolCalls: 2, inFlight: false });
  });

  it('takes no task at the worst degradation level', () => {
    const snapshot = reach([started, degrade(3)]);
    expect(snapshot.can(task)).toBe(false);
  });

  it('finishes the task in flight before a drain stops the agent', () => {
    const draining = reach([started, task, drain]);
    expect(draining.value).toBe('draining');
    expect(draining.context.inFlight).toBe(true);
    expect(reach([started, task, drain, done]).status).toBe('done');
  });

  it('records why it crashed and refuses to restart past maxRestarts', () => {
    const once = reach([failed, restart, failed], { maxRestarts: 1 });
    expect(once.value).toBe('crashed');
    expect(once.context).toMatchObject({ restarts: 1, reason: 'model unreachable' });
    expect(once.can(restart)).toBe(false);
  });

  it('rejects a bad input with ERR_INVALID_OPTION naming the field', () => {
    const [snapshot] = initialTransition(agentLifecycleMachine, { maxLevel: 0 });
    expect(snapshot.status).toBe('error');
    expect(isMachinesError(snapshot.error, 'ERR_INVALID_OPTION')).toBe(true);
    expect((snapshot.error as { field: string }).field).toBe('maxLevel');
  });
});
