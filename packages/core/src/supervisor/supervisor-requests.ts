import type { ActorContext } from '../context.js';
import { isWardenError } from '../errors.js';
import { isPid, type Pid } from '../pid.js';
import { type StartOutcome, startChildProcess } from './child-lifecycle.js';
import { type ChildSpec, type NormalizedChildSpec, validateChildSpec } from './child-spec.js';
import type { SupervisorRequest } from './supervisor-messages.js';
import { emitStarted, stopChild } from './supervisor-restarts.js';
import type { StartChildResult } from './supervisor-results.js';
import { type Child, RESTARTING, type SupervisorState } from './supervisor-state.js';

/** The dynamic API (items 35, 41-43): each request runs to completion inside the supervisor (item 36). */
export async function handleRequest(
  request: SupervisorRequest,
  state: SupervisorState,
  ctx: ActorContext,
): Promise<unknown> {
  switch (request.$sup) {
    case 'start_child':
      return startChild(state, ctx, request.spec, request.extra);
    case 'terminate_child': {
      const target = request.target;
      if (state.isSimple && !isPid(target)) return { ok: false, error: 'simple_one_for_one' };
      const found = findChild(state, ctx, target);
      if (found === undefined) return { ok: false, error: 'not_found' };
      if (found === TEMPLATE) return { ok: true }; // a dynamic child that already exited
      await stopChild(state, ctx, found);
      if (state.isSimple || found.spec.restart === 'temporary') state.remove(found);
      return { ok: true };
    }
    case 'get_childspec': {
      const found = findChild(state, ctx, request.target);
      if (found === undefined) return { ok: false, error: 'not_found' };
      const spec = found === TEMPLATE ? state.template : found.spec;
      return { ok: true, spec };
    }
    case 'restart_child': {
      if (state.isSimple) return { ok: false, error: 'simple_one_for_one' };
      const child = state.byId(request.id);
      if (child === undefined) return { ok: false, error: 'not_found' };
      if (child.pid === RESTARTING) return { ok: false, error: 'restarting' };
      if (isPid(child.pid)) return { ok: false, error: 'running' };
      const outcome = await startChildProcess(ctx, child.spec, child.extra, child.poison);
      if (outcome.kind === 'error')
        return { ok: false, error: 'start_failed', reason: outcome.reason };
      if (outcome.kind === 'ignore') return { ok: true, pid: undefined };
      state.setPid(child, outcome.pid, outcome.info);
      emitStarted(ctx, child);
      return outcome.info === undefined
        ? { ok: true, pid: outcome.pid }
        : { ok: true, pid: outcome.pid, info: outcome.info };
    }
    case 'delete_child': {
      if (state.isSimple) return { ok: false, error: 'simple_one_for_one' };
      const child = state.byId(request.id);
      if (child === undefined) return { ok: false, error: 'not_found' };
      if (child.pid === RESTARTING) return { ok: false, error: 'restarting' };
      if (isPid(child.pid)) return { ok: false, error: 'running' };
      state.remove(child);
      return { ok: true };
    }
    case 'which_children':
      return state.which();
    case 'count_children':
      return state.counts();
  }
}

/** `findChild`'s answer when OTP's `find_child` gives the template without a process. */
const TEMPLATE = Symbol('template');

/**
 * OTP's `find_child`, shared by `terminateChild` and `getChildSpec`. A static supervisor knows
 * its children by id only: a pid is not found. A simple_one_for_one supervisor knows its children
 * by pid, including the pid a restarting child last had; it answers with its template for the pid
 * of a process of this node that is no longer alive (a dynamic child that already exited) and for
 * the template's own id. A pid of another node that is not a child is not found: whether it is
 * alive is not known here.
 */
function findChild(
  state: SupervisorState,
  ctx: ActorContext,
  target: string | Pid,
): Child | typeof TEMPLATE | undefined {
  if (!state.isSimple) return isPid(target) ? undefined : state.byId(target);
  if (!isPid(target)) return target === state.template?.id ? TEMPLATE : undefined;
  const child = state.byPid(target) ?? state.byRestartingPid(target);
  if (child !== undefined) return child;
  return target.node === ctx.self.node && !ctx.node.isAlive(target) ? TEMPLATE : undefined;
}

async function startChild(
  state: SupervisorState,
  ctx: ActorContext,
  input: ChildSpec | undefined,
  extra: unknown,
): Promise<StartChildResult> {
  let child: Child;
  if (state.isSimple) {
    child = state.newDynamicChild(extra);
  } else {
    let spec: NormalizedChildSpec;
    try {
      spec = validateChildSpec(input as ChildSpec, state.flags);
    } catch (error) {
      if (!isWardenError(error)) throw error;
      const code = error.code === 'ERR_BAD_COMBINATION' ? error.code : 'ERR_INVALID_CHILD_SPEC';
      return {
        ok: false,
        error: 'invalid_child_spec',
        code,
        field: error.field ?? 'spec',
        message: error.message,
      };
    }
    const existing = state.byId(spec.id);
    if (existing !== undefined) {
      return isPid(existing.pid)
        ? { ok: false, error: 'already_started', pid: existing.pid }
        : { ok: false, error: 'already_present' };
    }
    child = {
      key: spec.id,
      spec,
      pid: undefined,
      info: undefined,
      extra: undefined,
      poison: state.newPoisonGuard(),
    };
  }
  const outcome = await startChildProcess(ctx, child.spec, child.extra, child.poison);
  if (outcome.kind === 'error') return startError(outcome);
  if (outcome.kind === 'ignore') {
    // OTP item 11: an ignored child keeps its spec, unless it is temporary or dynamic.
    if (!state.isSimple && child.spec.restart !== 'temporary') state.add(child);
    return { ok: true, pid: undefined };
  }
  state.add(child);
  state.setPid(child, outcome.pid, outcome.info);
  emitStarted(ctx, child);
  return outcome.info === undefined
    ? { ok: true, pid: outcome.pid }
    : { ok: true, pid: outcome.pid, info: outcome.info };
}

/**
 * A start that failed because the child's name is held answers `already_started` with the
 * holder's pid, as OTP's `start_child` passes on `{already_started, Pid}`.
 */
function startError(outcome: Extract<StartOutcome, { kind: 'error' }>): StartChildResult {
  const { reason } = outcome;
  if (typeof reason === 'object' && reason.tag === 'error' && reason.code === 'ERR_NAME_TAKEN') {
    const holder = (reason.cause as { pid?: unknown } | undefined)?.pid;
    if (isPid(holder)) return { ok: false, error: 'already_started', pid: holder };
  }
  return { ok: false, error: 'start_failed', reason };
}
