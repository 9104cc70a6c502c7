import type { Node, Pid } from '@warden/core';
import type { InspectionEvent, StateValue } from 'xstate';

/**
 * An xstate inspection event of a machine run by `fromMachine`, tagged with the process that runs
 * it. `type` is xstate's without the `@` (`'@xstate.snapshot'` -> `'xstate.snapshot'`), in the
 * dotted style of the node's event stream; `inspection` is xstate's event itself (local only: it
 * holds actor refs and snapshots).
 */
export interface MachineInspectionEvent {
  readonly type:
    | 'xstate.actor'
    | 'xstate.event'
    | 'xstate.snapshot'
    | 'xstate.transition'
    | 'xstate.microstep'
    | 'xstate.action';
  readonly time: number;
  readonly pid: Pid;
  /** For snapshot, transition and microstep events of a machine: its state value then. */
  readonly value: StateValue | undefined;
  readonly inspection: InspectionEvent;
}

export type MachineObserver = (event: MachineInspectionEvent) => void;

const observers = new WeakMap<Node, ReadonlySet<MachineObserver>>();

/**
 * Subscribes to the inspection events of every machine run by `fromMachine` on `node`; returns
 * the unsubscribe function. The same events also reach the node's own stream (`node.inspect`) as
 * `published` events.
 */
export function inspectMachines(node: Node, observer: MachineObserver): () => void {
  observers.set(node, new Set([...(observers.get(node) ?? []), observer]));
  return () => {
    const next = new Set(observers.get(node));
    next.delete(observer);
    if (next.size === 0) observers.delete(node);
    else observers.set(node, next);
  };
}

/**
 * Whether anyone would see a machine's inspection events on `node`. xstate builds an event for
 * every transition when an actor is inspected, so machines started while nobody listens are not
 * inspected at all (that was 20% of a fromMachine profile).
 */
export function isInspected(node: Node): boolean {
  return observers.has(node) || node.observed;
}

/** Delivers one inspection event to `onInspect`, the node's machine observers and its event stream. */
export function publishInspection(
  node: Node,
  pid: Pid,
  inspection: InspectionEvent,
  onInspect: MachineObserver | undefined,
): void {
  const subscribed = observers.get(node);
  if (onInspect === undefined && subscribed === undefined && !node.observed) return;
  const event: MachineInspectionEvent = {
    type: inspection.type.slice(1) as MachineInspectionEvent['type'],
    time: node.clock.now(),
    pid,
    value: stateValueOf(inspection),
    inspection,
  };
  if (onInspect !== undefined) deliver(onInspect, event);
  if (subscribed !== undefined) for (const observer of subscribed) deliver(observer, event);
  node.publish(event);
}

function stateValueOf(inspection: InspectionEvent): StateValue | undefined {
  if (!('snapshot' in inspection)) return undefined;
  const value = (inspection.snapshot as { value?: unknown }).value;
  return typeof value === 'string' || (typeof value === 'object' && value !== null)
    ? (value as StateValue)
    : undefined;
}

/** An observer that throws cannot hurt the machine, the process or the other observers. */
function deliver(observer: MachineObserver, event: MachineInspectionEvent): void {
  try {
    observer(event);
  } catch (error) {
    console.error('warden machine observer failed:', error);
  }
}
