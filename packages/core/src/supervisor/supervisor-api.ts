import type { Ignore } from '../actor-result.js';
import type { ActorContext, Address, CallOptions, SpawnOptions } from '../context.js';
import type { Node } from '../node.js';
import type { Pid } from '../pid.js';
import type { ChildSpec } from './child-spec.js';
import { Supervisor, type SupervisorInit } from './supervisor.js';
import type { SupervisorRequest } from './supervisor-messages.js';
import type {
  ChildCounts,
  ChildInfo,
  DeleteChildResult,
  RestartChildResult,
  StartChildResult,
  TerminateChildResult,
} from './supervisor-results.js';

/** Anything that can make a call: a `Node` (from outside) or an `ActorContext` (from a process). */
export interface Caller {
  call<R = unknown>(to: Address, request: unknown, options?: CallOptions): Promise<R>;
}

/** Anything that can start a process synchronously: a `Node` (unlinked) or an `ActorContext` (linked). */
export type Starter = Pick<Node, 'start'> | Pick<ActorContext, 'startLink'>;

/** OTP's supervisor API calls wait for ever: the supervisor may be busy restarting (item 36). */
const INFINITE: CallOptions = { timeout: Number.POSITIVE_INFINITY };

/**
 * Starts a supervisor and waits until all its children have started (OTP's `start_link`). From a
 * node it starts unlinked (the top of a tree); from a process context, linked to that process.
 * Resolves with its pid or `IGNORE`; rejects with `ERR_START_FAILED` whose reason is
 * `{ shutdown, { failedToStartChild, reason } }` when a child failed to start.
 *
 * @example
 * const sup = await startSupervisor(node, {
 *   strategy: 'one_for_one', intensity: 3, period: 5000,
 *   children: [{ id: 'worker', start: { behaviour: worker } }],
 * });
 */
export function startSupervisor(
  starter: Starter,
  init: SupervisorInit,
  options: Omit<SpawnOptions<SupervisorInit>, 'args'> = {},
): Promise<Pid | Ignore> {
  const spawnOptions = { ...options, args: init };
  return 'startLink' in starter
    ? starter.startLink(Supervisor, spawnOptions)
    : starter.start(Supervisor, spawnOptions);
}

/** A child spec for a nested supervisor (type `supervisor`, shutdown `infinity`). */
export function supervisorChild(
  id: string,
  init: SupervisorInit,
  options: Omit<ChildSpec, 'id' | 'start' | 'type'> = {},
): ChildSpec {
  return { ...options, id, type: 'supervisor', start: { behaviour: Supervisor, args: init } };
}

function request<R>(caller: Caller, sup: Address, req: SupervisorRequest): Promise<R> {
  return caller.call<R>(sup, req, INFINITE);
}

/** Adds and starts a child; under simple_one_for_one pass the template's `extra` instead of a spec. */
export function startChild(
  caller: Caller,
  sup: Address,
  spec: ChildSpec,
): Promise<StartChildResult> {
  return request(caller, sup, { $sup: 'start_child', spec, extra: undefined });
}

/** Starts one more child from a simple_one_for_one template; `extra` goes to its start. */
export function startDynamicChild(
  caller: Caller,
  sup: Address,
  extra?: unknown,
): Promise<StartChildResult> {
  return request(caller, sup, { $sup: 'start_child', spec: undefined, extra });
}

/** Stops a child and keeps its spec (unless temporary or dynamic); dynamic children are named by pid. */
export function terminateChild(
  caller: Caller,
  sup: Address,
  target: string | Pid,
): Promise<TerminateChildResult> {
  return request(caller, sup, { $sup: 'terminate_child', target });
}

export function restartChild(
  caller: Caller,
  sup: Address,
  id: string,
): Promise<RestartChildResult> {
  return request(caller, sup, { $sup: 'restart_child', id });
}

export function deleteChild(caller: Caller, sup: Address, id: string): Promise<DeleteChildResult> {
  return request(caller, sup, { $sup: 'delete_child', id });
}

export function whichChildren(caller: Caller, sup: Address): Promise<ChildInfo[]> {
  return request(caller, sup, { $sup: 'which_children' });
}

export function countChildren(caller: Caller, sup: Address): Promise<ChildCounts> {
  return request(caller, sup, { $sup: 'count_children' });
}
