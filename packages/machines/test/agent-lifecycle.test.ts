// The agent lifecycle statechart: allowed and forbidden transitions, table-driven.
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import {
  AgentLifecycle,
  type AgentLifecycleEvent,
  agentLifecycleMachine,
  isMachinesError,
} from '../src/index.js';

type E = AgentLifecycleEvent;
const task: E = { type: 'agent.task' };
const act = (toolCalls = 1): E => ({ type: 'agent.act', toolCalls });
const answer: E = { type: 'agent.answer' };
const observe: E = { type: 'agent.observe' };
const approvalRequired: E = { type: 'agent.approval_required' };
const approved: E = { type: 'agent.approved' };
const rejected: E = { type: 'agent.rejected' };
const compact: E = { type: 'agent.compact' };
const compacted: E = { type: 'agent.compacted' };
const compactionFailed: E = { type: 'agent.compaction_failed' };
const recover: E = { type: 'agent.recover' };
const cancel: E = { type: 'agent.cancel' };
const failed: E = { type: 'agent.failed', reason: 'budget steps exceeded' };
const degrade = (level: number): E => ({ type: 'agent.degrade', level });

/** How to reach each state from the start. */
const PATHS = {
  idle: [],
  planning: [task],
  degraded: [task, degrade(1)],
  acting: [task, act()],
  awaiting_approval: [task, act(), approvalRequired],
  compacting: [task, compact],
  done: [task, answer],
  failed: [failed],
} satisfies Record<string, E[]>;

type StateName = keyof typeof PATHS;

function reach(path: readonly E[], input?: { maxLevel?: number }) {
  let [snapshot] = initialTransition(agentLifecycleMachine, input);
  for (const event of path) [snapshot] = transition(agentLifecycleMachine, snapshot, event);
  return snapshot;
}

const allowed: [from: StateName, event: E, to: StateName][] = [
  ['idle', task, 'planning'],
  ['idle', failed, 'failed'],
  ['planning', act(2), 'acting'],
  ['planning', answer, 'done'],
  ['planning', compact, 'compacting'],
  ['planning', degrade(1), 'degraded'],
  ['planning', cancel, 'idle'],
  ['planning', failed, 'failed'],
  ['degraded', act(), 'acting'],
  ['degraded', answer, 'done'],
  ['degraded', recover, 'planning'],
  ['degraded', degrade(3), 'degraded'],
  ['acting', observe, 'planning'],
  ['acting', approvalRequired, 'awaiting_approval'],
  ['acting', cancel, 'idle'],
  ['acting', failed, 'failed'],
  ['awaiting_approval', approved, 'acting'],
  ['awaiting_approval', rejected, 'acting'],
  ['awaiting_approval', cancel, 'idle'],
  ['compacting', compacted, 'planning'],
  ['compacting', compactionFailed, 'degraded'],
  ['done', task, 'planning'],
];

const forbidden: [from: StateName, event: E, why: string][] = [
  ['planning', task, 'one task at a time'],
  ['acting', task, 'one task at a time'],
  ['awaiting_approval', act(), 'no tool call while an approval is pending'],
  ['awaiting_approval', observe, 'no result before the approval'],
  ['idle', act(), 'no tool call outside a task'],
  ['idle', approved, 'nothing awaits approval'],
  ['planning', approved, 'nothing awaits approval'],
  ['compacting', act(), 'no model verdict while compacting'],
  ['idle', degrade(0), 'a degradation level starts at 1'],
  ['idle', degrade(4), 'a degradation level is at most maxLevel'],
  ['idle', degrade(1.5), 'a degradation level is an integer'],
  ['idle', cancel, 'nothing to cancel'],
  ['failed', task, 'a failed agent does nothing more: its supervisor decides'],
  ['failed', recover, 'failed is final'],
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
  it('counts steps and tool calls of a task and starts from zero on the next', () => {
    const snapshot = reach([task, act(2), observe, act(1), observe, answer]);
    expect(snapshot.value).toBe('done');
    expect(snapshot.context).toMatchObject({ steps: 3, toolCalls: 3 });
    expect(reach([task, act(2), observe, answer, task]).context).toMatchObject({ steps: 0 });
  });

  it('plans degraded after observing while its level is above zero', () => {
    const snapshot = reach([task, degrade(2), act(), observe]);
    expect(snapshot.value).toBe('degraded');
    expect(snapshot.context.level).toBe(2);
  });

  it('is degraded at level 1 at least after a compaction that failed', () => {
    const snapshot = reach([task, compact, compactionFailed]);
    expect(snapshot.value).toBe('degraded');
    expect(snapshot.context.level).toBe(1);
  });

  it('records why it failed', () => {
    expect(reach([task, failed]).context.reason).toBe('budget steps exceeded');
    expect(reach([task, failed]).status).toBe('done');
  });

  it('rejects a bad input with ERR_INVALID_OPTION naming the field', () => {
    const [snapshot] = initialTransition(agentLifecycleMachine, { maxLevel: 0 });
    expect(snapshot.status).toBe('error');
    expect(isMachinesError(snapshot.error, 'ERR_INVALID_OPTION')).toBe(true);
    expect((snapshot.error as { field: string }).field).toBe('maxLevel');
  });
});

describe('AgentLifecycle', () => {
  it('applies what the chart allows and refuses the rest without changing anything', () => {
    const lifecycle = new AgentLifecycle();
    expect(lifecycle.send(act())).toBe(false);
    expect(lifecycle.state).toBe('idle');
    expect(lifecycle.send(task)).toBe(true);
    expect(lifecycle.send(act(3))).toBe(true);
    expect(lifecycle.state).toBe('acting');
    expect(lifecycle.context.toolCalls).toBe(3);
    expect(lifecycle.send(task)).toBe(false);
  });
});
