import type { ActorContext } from '../context.js';
import { isWardenError } from '../errors.js';
import { isPid } from '../pid.js';
import { startChildProcess } from './child-lifecycle.js';
import { type ChildSpec, validateChildSpec } from './child-spec.js';
import type { SupervisorRequest } from './supervisor-messages.js';
import { emitStarted, stopChild } from './supervisor-restarts.js';
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
      const child = isPid(target) ? state.byPid(target) : state.byId(target);
      if (child === undefined) return { ok: false, error: 'not_found' };
      await stopChild(state, ctx, child);
      if (state.isSimple || child.spec.restart === 'temporary') state.remove(child);
      return { ok: true };
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

async function startChild(
  state: SupervisorState,
  ctx: ActorContext,
  input: ChildSpec | undefined,
  extra: unknown,
): Promise<unknown> {
  let child: Child;
  if (state.isSimple) {
    child = state.newDynamicChild(extra);
  } else {
    let spec: ReturnType<typeof validateChildSpec>;
    try {
      spec = validateChildSpec(input as ChildSpec, state.flags);
    } catch (error) {
      if (!isWardenError(error)) throw error;
      return {
        ok: false,
        error: 'invalid_child_spec',
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
  if (outcome.kind === 'error') return { ok: false, error: 'start_failed', reason: outcome.reason };
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
