import {
  formatReason,
  isAbnormal,
  type Node,
  type NodeEvent,
  type NodeEventType,
  type Observer,
  type Pid,
} from '@warden/core';
import type { Timeline } from '../timeline.js';
import type { InstanceTracker } from './instance-tracker.js';
import type { ProcessNames } from './process-names.js';

/** What a simulation keeps from its nodes' event streams. */
export interface NodeRecords {
  readonly timeline: Timeline;
  readonly names: ProcessNames;
  readonly instances: InstanceTracker;
  readonly restarts: Map<string, number[]>;
  readonly agentEvents: {
    pid: Pid | undefined;
    event: { type: string } & Record<string, unknown>;
  }[];
}

/**
 * The event types `observeNode` reads, and the only ones a simulated node builds: a crash report
 * (which describes the crashed process's state), a spawn, a link or a monitor is never made.
 * The observer's switch handles exactly these (checked by the compiler both ways).
 */
export const OBSERVED_TYPES = [
  'actor.registered',
  'supervisor.child_started',
  'actor.exited',
  'supervisor.restart',
  'supervisor.escalated',
  'supervisor.meter_exceeded',
  'node.down',
  'node.up',
  'published',
] as const satisfies readonly NodeEventType[];

type ObservedEvent = Extract<NodeEvent, { type: (typeof OBSERVED_TYPES)[number] }>;

/**
 * The observer of one node, for `OBSERVED_TYPES`: names processes as they register or start
 * under a supervisor, retires spawn-once instances as they exit, counts restarts per supervisor, keeps the agents'
 * events, and writes the reactions worth reading (abnormal exits, restarts, escalations, nodes
 * lost and found, failed agents and tool calls) into the timeline, their text built only if
 * the timeline is printed.
 */
export function observeNode(node: Node, r: NodeRecords): Observer {
  const { timeline, names } = r;
  return (any: NodeEvent) => {
    const event = any as ObservedEvent;
    switch (event.type) {
      case 'actor.registered':
        names.name(event.pid, event.name, true);
        return;
      case 'supervisor.child_started':
        names.name(event.pid, event.id, false);
        return;
      case 'actor.exited': {
        r.instances.exited(event.pid);
        if (isAbnormal(event.reason)) {
          const { pid, reason } = event;
          timeline.add(
            event.time,
            'system',
            () => `${names.nameOf(pid)} exited: ${formatReason(reason)}`,
          );
        }
        return;
      }
      case 'supervisor.restart': {
        const times = r.restarts.get(event.supervisor.key);
        if (times === undefined) r.restarts.set(event.supervisor.key, [event.time]);
        else times.push(event.time);
        const { supervisor, id } = event;
        timeline.add(event.time, 'system', () => `${names.nameOf(supervisor)} restarts ${id}`);
        return;
      }
      case 'supervisor.escalated': {
        const { supervisor, restarts } = event;
        timeline.add(
          event.time,
          'system',
          () => `${names.nameOf(supervisor)} gives up after ${restarts} restarts`,
        );
        return;
      }
      case 'supervisor.meter_exceeded':
        timeline.add(
          event.time,
          'system',
          `meter ${event.meter} exceeded: ${event.spent} of ${event.limit}`,
        );
        return;
      case 'node.down':
        timeline.add(event.time, 'system', `${node.name} lost ${event.node}`);
        return;
      case 'node.up':
        if (event.time > 0) timeline.add(event.time, 'system', `${node.name} sees ${event.node}`);
        return;
      case 'published':
        agentEvent(
          r,
          event.time,
          event.pid,
          event.event as { type: string } & Record<string, unknown>,
        );
        return;
      default:
        event satisfies never;
    }
  };
}

function agentEvent(
  r: NodeRecords,
  time: number,
  pid: Pid | undefined,
  event: { type: string } & Record<string, unknown>,
): void {
  if (!event.type.startsWith('agent.')) return;
  r.agentEvents.push({ pid, event });
  const who = () => (pid === undefined ? 'agent' : r.names.nameOf(pid));
  if (
    event.type === 'agent.failed' ||
    event.type === 'agent.budget_exceeded' ||
    event.type === 'agent.degraded'
  ) {
    const reason = typeof event.reason === 'string' ? `: ${event.reason}` : '';
    r.timeline.add(time, 'system', () => `${who()} ${event.type.slice(6)}${reason}`);
  } else if (event.type === 'agent.tool_call' && event.outcome !== 'ok') {
    r.timeline.add(
      time,
      'system',
      () => `${who()}: tool ${String(event.tool)} -> ${String(event.outcome)}`,
    );
  }
}
