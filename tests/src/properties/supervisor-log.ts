/**
 * What a supervisor reported on the node's event stream, and the check that its sequence of
 * exits, restarts and starts is exactly what OTP's rules allow: no restart without a cause, no
 * double restart, groups started once each in start order.
 */
import type { ExitReason, Node, Pid, RestartType, Strategy } from '@warden/core';
import { expect } from 'vitest';

export type SupervisorEvent =
  | { readonly type: 'started' | 'restart' | 'start_failed' | 'escalated'; readonly id: string }
  | { readonly type: 'exited'; readonly id: string; readonly reason: ExitReason };

export class SupervisorLog {
  readonly events: SupervisorEvent[] = [];
  /** The latest pid each child was started with. */
  readonly current = new Map<string, Pid>();

  constructor(node: Node) {
    node.inspect((e) => {
      if (e.type === 'supervisor.child_started') {
        this.events.push({ type: 'started', id: e.id });
        this.current.set(e.id, e.pid);
      } else if (e.type === 'supervisor.child_exited') {
        this.events.push({ type: 'exited', id: e.id, reason: e.reason });
      } else if (e.type === 'supervisor.restart') this.events.push({ type: 'restart', id: e.id });
      else if (e.type === 'supervisor.start_failed') {
        this.events.push({ type: 'start_failed', id: e.id });
      } else if (e.type === 'supervisor.escalated') this.events.push({ type: 'escalated', id: '' });
    });
  }

  /** Ids of the events of one type, in order. */
  ids(type: SupervisorEvent['type']): string[] {
    return this.events.filter((e) => e.type === type).map((e) => e.id);
  }

  get escalated(): boolean {
    return this.events.some((e) => e.type === 'escalated');
  }
}

/** The children a restart of `failed` starts, in start order (items 19-21). */
export function restartGroup(
  strategy: Strategy,
  order: readonly string[],
  failed: string,
): string[] {
  if (strategy === 'one_for_one') return [failed];
  if (strategy === 'one_for_all') return [...order];
  return order.slice(order.indexOf(failed));
}

export interface TreeShape {
  readonly strategy: Strategy;
  /** Start order; no temporary child may be part of a restart group. */
  readonly order: readonly string[];
  readonly restart: (id: string) => RestartType;
  /** The supervisor was killed: its last restart may have been cut short. */
  readonly killed?: boolean;
}

/** Items 14-16, written from the spec: is a child with this restart type and reason restarted? */
function restarts(type: RestartType, reason: ExitReason): boolean {
  if (type === 'permanent') return true;
  if (type === 'temporary') return false;
  const clean =
    reason === 'normal' ||
    reason === 'shutdown' ||
    (typeof reason === 'object' && reason.tag === 'shutdown');
  return !clean;
}

/**
 * Walks the event sequence: the initial starts in order (item 9); then each exit is either not a
 * restart (items 14-16, 18), or exactly one restart event (item 22) followed by its group's starts
 * in start order (items 19-21), up to a failed start that makes that child the retry target
 * (items 26, 28); a retry happens only for a child that is restarting; escalation ends it.
 */
export function expectRestartSequence(log: SupervisorLog, shape: TreeShape): void {
  const events = log.events;
  let i = 0;
  const restarting = new Set<string>();
  for (const id of shape.order) {
    expect(events[i++], 'initial starts in start order (item 9)').toEqual({ type: 'started', id });
  }
  const runGroup = (failed: string): void => {
    for (const id of restartGroup(shape.strategy, shape.order, failed)) {
      if (i >= events.length && shape.killed === true) return;
      const e = events[i++];
      if (e?.type === 'start_failed' && e.id === id) {
        restarting.add(id);
        return;
      }
      expect(e, `restart of ${failed} starts ${id} next (items 19-21)`).toEqual({
        type: 'started',
        id,
      });
      restarting.delete(id);
    }
  };
  while (i < events.length) {
    const e = events[i++] as SupervisorEvent;
    if (e.type === 'exited') {
      if (!restarts(shape.restart(e.id), e.reason)) continue;
      const next = events[i++];
      if (next?.type === 'escalated') break;
      expect(next, `exit of ${e.id} is one restart (item 22)`).toEqual({
        type: 'restart',
        id: e.id,
      });
      runGroup(e.id);
    } else if (e.type === 'restart') {
      expect(restarting.has(e.id), `retry of ${e.id} only while restarting (item 26)`).toBe(true);
      runGroup(e.id);
    } else {
      expect(e.type === 'escalated' && restarting.size > 0, `unexpected ${e.type} ${e.id}`).toBe(
        true,
      );
      break;
    }
  }
  expect(i, 'nothing after escalation').toBe(events.length);
}
