import type { Ignore } from '../actor-result.js';
import type { ActorContext, Address, CallOptions, SpawnOptions } from '../context.js';
import type { Node } from '../node.js';
import type { Pid } from '../pid.js';
import type { ChildSpec } from './child-spec.js';
import { Supervisor, type SupervisorInit } from './supervisor.js';
import { configErrorOf, validateSupervisorSpec } from './supervisor-config.js';
import type { SupervisorRequest } from './supervisor-messages.js';
import type {
  ChildCounts,
  ChildInfo,
  DeleteChildResult,
  GetChildSpecResult,
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
 * `{ shutdown, { failedToStartChild, reason } }` when a child failed to start. A configuration
 * error (`ERR_INVALID_FLAGS`, `ERR_INVALID_CHILD_SPEC`, `ERR_DUPLICATE_CHILD_ID`,
 * `ERR_BAD_START_SPEC`, `ERR_BAD_COMBINATION`, with `field`) rejects as itself before any child
 * starts: a spec given as data is checked before the supervisor is spawned, one computed by an
 * init function when it runs. A taken `name` rejects with `ERR_NAME_TAKEN`, `pid` its holder.
 *
 * @example
 * const sup = await startSupervisor(node, {
 *   strategy: 'one_for_one', intensity: 3, period: 5000,
 *   children: [{ id: 'worker', start: { behaviour: worker } }],
 * });
 */
export async function startSupervisor(
  starter: Starter,
  init: SupervisorInit,
  options: Omit<SpawnOptions<SupervisorInit>, 'args'> = {},
): Promise<Pid | Ignore> {
  if (typeof init === 'object' && init !== null) validateSupervisorSpec(init);
  const spawnOptions = { ...options, args: init };
  try {
    return await ('startLink' in starter
      ? starter.startLink(Supervisor, spawnOptions)
      : starter.start(Supervisor, spawnOptions));
  } catch (error) {
    throw configErrorOf(error) ?? error;
  }
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

/**
 * Stops a child and keeps its spec (unless temporary or dynamic). A static supervisor's children
 * are named by id (a pid is `not_found`); a simple_one_for_one supervisor's by pid, and the pid of
 * one that has already exited answers `{ ok: true }`, as in OTP.
 */
export function terminateChild(
  caller: Caller,
  sup: Address,
  target: string | Pid,
): Promise<TerminateChildResult> {
  return request(caller, sup, { $sup: 'terminate_child', target });
}

/**
 * OTP's `get_childspec/2`: a static child's spec by id, with every default filled in. Under
 * simple_one_for_one, the template, found by a dynamic child's pid (also one that has already
 * exited) or by the template's id.
 */
export function getChildSpec(
  caller: Caller,
  sup: Address,
  target: string | Pid,
): Promise<GetChildSpecResult> {
  return request(caller, sup, { $sup: 'get_childspec', target });
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
