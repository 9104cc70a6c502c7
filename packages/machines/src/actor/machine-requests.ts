import type { Address, Caller, CallOptions } from '@warden/core';
import type { AnyMachineSnapshot, EventObject, StateValue } from 'xstate';

/** The call that reads a machine actor's snapshot without sending it an event. */
export interface SnapshotRequest {
  readonly type: 'machine.snapshot';
}

export const SNAPSHOT_REQUEST: SnapshotRequest = Object.freeze({ type: 'machine.snapshot' });

export function isSnapshotRequest(value: unknown): value is SnapshotRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { type?: unknown }).type === SNAPSHOT_REQUEST.type
  );
}

/**
 * What a machine actor answers to a call: its snapshot as plain data, so it can cross the wire
 * (xstate's snapshot object holds the machine and live refs). Match states with xstate's
 * `matchesState(pattern, data.value)`.
 */
export interface MachineSnapshotData<TContext = unknown> {
  readonly status: 'active' | 'done' | 'error' | 'stopped';
  readonly value: StateValue;
  readonly context: TContext;
  readonly output: unknown;
  /** When `status` is `'error'`: what the machine threw, as `{ name, message }`. */
  readonly error: { readonly name: string; readonly message: string } | undefined;
}

export function snapshotData(snapshot: AnyMachineSnapshot): MachineSnapshotData {
  const error = snapshot.error as unknown;
  return {
    status: snapshot.status,
    value: snapshot.value,
    context: snapshot.context,
    output: snapshot.output,
    error:
      snapshot.status !== 'error'
        ? undefined
        : error instanceof Error
          ? { name: error.name, message: error.message }
          : { name: 'NonError', message: String(error) },
  };
}

/** Reads the snapshot of the machine actor at `to`. */
export function getSnapshot<TContext = unknown>(
  caller: Caller,
  to: Address,
  options?: CallOptions,
): Promise<MachineSnapshotData<TContext>> {
  return caller.call(to, SNAPSHOT_REQUEST, options);
}

/** Sends `event` to the machine actor at `to` and resolves with the snapshot that follows it. */
export function sendEvent<TContext = unknown, TEvent extends EventObject = EventObject>(
  caller: Caller,
  to: Address,
  event: TEvent,
  options?: CallOptions,
): Promise<MachineSnapshotData<TContext>> {
  return caller.call(to, event, options);
}
