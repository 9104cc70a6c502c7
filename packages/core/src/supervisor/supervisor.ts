import { IGNORE, type Ignore, reply, type Stop, stop } from '../actor-result.js';
import { type ActorBehaviour, defineActor } from '../behaviour.js';
import type { ActorContext } from '../context.js';
import { isWardenError } from '../errors.js';
import type { NodeEvent } from '../events.js';
import { type ExitReason, shutdownWith } from '../exit-reason.js';
import { coreOf } from '../internal/core-of.js';
import { ExitMessage } from '../messages.js';
import { isPid, type Pid } from '../pid.js';
import {
  isCleanShutdown,
  shutdownChild,
  shutdownMany,
  startChildProcess,
} from './child-lifecycle.js';
import {
  type ChildSpec,
  type NormalizedChildSpec,
  validateChildSpec,
  validateChildSpecs,
} from './child-spec.js';
import { type SupervisorFlags, validateFlags } from './flags.js';
import { addRestart } from './intensity.js';
import { restartDelay } from './restart-backoff.js';
import { planRestart, shouldRestart } from './restart-policy.js';
import { isSupervisorRequest, type SupervisorRequest } from './supervisor-messages.js';
import { type Child, RESTARTING, SupervisorState } from './supervisor-state.js';

/** A supervisor's flags (all optional, OTP's defaults) and its children. */
export interface SupervisorSpec extends Partial<SupervisorFlags> {
  readonly children: readonly ChildSpec[];
}

/** What a supervisor is started with: the spec, or a function computing it (run at every (re)start). */
export type SupervisorInit = SupervisorSpec | (() => SupervisorSpec | Ignore);

type Result = SupervisorState | Stop<SupervisorState>;

/**
 * The supervisor behaviour: OTP's `supervisor` as a warden actor. It traps exits, starts its
 * children in order, restarts them by strategy and restart type, counts restarts against its
 * intensity, and shuts them down in reverse start order. OTP-SEMANTICS.md sections 1-9.
 */
export const Supervisor: ActorBehaviour<SupervisorState, SupervisorInit> = defineActor<
  SupervisorState,
  SupervisorInit
>({
  init: (init, ctx) => initSupervisor(init, ctx),
  handleCall: async (request: SupervisorRequest, _from, state, ctx) => {
    if (!isSupervisorRequest(request)) return reply({ ok: false, error: 'unknown_request' }, state);
    return reply(await handleRequest(request, state, ctx), state);
  },
  handleInfo: async (message: unknown, state, ctx): Promise<Result> => {
    if (message instanceof ExitMessage) return onExit(state, ctx, message.from, message.reason);
    if (isSupervisorRequest(message)) {
      const self = message as unknown as { $sup: string; key: string };
      const child = state.byKey(self.key);
      if (child?.pid !== RESTARTING) return state;
      if (self.$sup === 'try_again_restart') return restart(state, ctx, child);
      if (self.$sup === 'delayed_restart') return performRestart(state, ctx, child);
    }
    emit(ctx, {
      type: 'supervisor.unexpected_message',
      time: ctx.now(),
      supervisor: ctx.self,
      message,
    });
    return state;
  },
  // OTP's handle_cast catch-all: a stray cast is reported, never a reason to crash the subtree.
  handleCast: (message: unknown, state, ctx) => {
    emit(ctx, {
      type: 'supervisor.unexpected_message',
      time: ctx.now(),
      supervisor: ctx.self,
      message,
    });
    return state;
  },
  terminate: async (_reason, state, ctx) => {
    await terminateChildren(state, ctx);
  },
});

async function initSupervisor(
  init: SupervisorInit,
  ctx: ActorContext,
): Promise<SupervisorState | Ignore | Stop<SupervisorState>> {
  ctx.trapExit(true);
  const spec = typeof init === 'function' ? init() : init;
  if (spec === IGNORE) return IGNORE;
  if (typeof spec !== 'object' || spec === null) {
    return stop(
      { tag: 'error', name: 'BadReturn', message: `supervisor init returned ${String(spec)}` },
      undefined as never,
    );
  }
  const flags = validateFlags(spec);
  const specs = validateChildSpecs(spec.children, flags);
  const state = new SupervisorState(
    flags,
    flags.strategy === 'simple_one_for_one' ? specs[0] : undefined,
  );
  if (state.isSimple) return state;
  for (const childSpec of specs) {
    const child: Child = {
      key: childSpec.id,
      spec: childSpec,
      pid: undefined,
      info: undefined,
      extra: undefined,
      poison: state.newPoisonGuard(),
    };
    const outcome = await startChildProcess(ctx, childSpec, undefined, child.poison);
    if (outcome.kind === 'error') {
      emit(ctx, {
        type: 'supervisor.start_failed',
        time: ctx.now(),
        supervisor: ctx.self,
        id: child.key,
        reason: outcome.reason,
      });
      await terminateChildren(state, ctx);
      return stop(
        shutdownWith({ failedToStartChild: childSpec.id, reason: outcome.reason }),
        state,
      );
    }
    if (outcome.kind === 'ignore') {
      if (childSpec.restart !== 'temporary') state.add(child);
      continue;
    }
    state.add(child);
    state.setPid(child, outcome.pid, outcome.info);
    emitStarted(ctx, child);
  }
  return state;
}

async function handleRequest(
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

/** A child's EXIT: restart it, or forget it, as its restart type and the strategy say. */
async function onExit(
  state: SupervisorState,
  ctx: ActorContext,
  from: Pid,
  reason: ExitReason,
): Promise<Result> {
  const child = state.byPid(from);
  if (child === undefined) return state; // item 17: not one of ours, ignored silently
  emit(ctx, {
    type: 'supervisor.child_exited',
    time: ctx.now(),
    supervisor: ctx.self,
    id: child.key,
    pid: from,
    reason,
  });
  if (!shouldRestart(child.spec.restart, reason)) {
    if (state.isSimple || child.spec.restart === 'temporary') state.remove(child);
    else state.setPid(child, undefined);
    return autoShutdown(state, ctx, child);
  }
  return restart(state, ctx, child);
}

/** Items 37-39: a significant child ended for good. */
function autoShutdown(state: SupervisorState, ctx: ActorContext, child: Child): Result {
  if (!child.spec.significant) return state;
  const mode = state.flags.autoShutdown;
  if (mode === 'any_significant' || (mode === 'all_significant' && !state.liveSignificant())) {
    emit(ctx, {
      type: 'supervisor.auto_shutdown',
      time: ctx.now(),
      supervisor: ctx.self,
      id: child.key,
    });
    return stop('shutdown', state);
  }
  return state;
}

/** Counts one restart against the intensity window, then restarts (now, or after a backoff). */
async function restart(state: SupervisorState, ctx: ActorContext, child: Child): Promise<Result> {
  const { flags } = state;
  const window = addRestart(state.restarts, ctx.now(), flags.intensity, flags.period);
  state.restarts = window.restarts;
  if (window.exceeded) {
    emit(ctx, {
      type: 'supervisor.escalated',
      time: ctx.now(),
      supervisor: ctx.self,
      restarts: window.restarts.length,
    });
    return stop('shutdown', state);
  }
  const delay =
    flags.backoff === undefined ? 0 : restartDelay(flags.backoff, window.restarts.length);
  emit(ctx, {
    type: 'supervisor.restart',
    time: ctx.now(),
    supervisor: ctx.self,
    id: child.key,
    delayMs: delay,
  });
  if (delay > 0) {
    state.setPid(child, RESTARTING);
    ctx.sendAfter(ctx.self, { $sup: 'delayed_restart', key: child.key }, delay);
    return state;
  }
  return performRestart(state, ctx, child);
}

/** Applies the strategy: which siblings stop, which children start (items 19-22, 26-28). */
async function performRestart(
  state: SupervisorState,
  ctx: ActorContext,
  child: Child,
): Promise<Result> {
  if (state.isSimple || state.flags.strategy === 'one_for_one') {
    await startOrRetry(state, ctx, child);
    return state;
  }
  // OTP's del_child: the crashed child has no pid from here on, even if an earlier sibling's
  // start fails and the group restart stops before reaching it.
  state.setPid(child, undefined);
  const plan = planRestart(
    state.flags.strategy,
    state.children.map((c) => c.key),
    child.key,
  );
  for (const id of plan.terminate) {
    const sibling = state.byId(id);
    if (sibling === undefined) continue;
    if (isPid(sibling.pid)) await stopChild(state, ctx, sibling);
    else state.setPid(sibling, undefined);
    if (sibling.spec.restart === 'temporary') state.remove(sibling); // item 20: removed, not restarted
  }
  for (const id of plan.start) {
    const next = state.byId(id);
    if (next === undefined) continue;
    if (!(await startOrRetry(state, ctx, next))) break; // item 28: the failed child is the retry target
  }
  return state;
}

/** Starts a child in a restart; on failure marks it restarting and queues a retry behind the mailbox. */
async function startOrRetry(
  state: SupervisorState,
  ctx: ActorContext,
  child: Child,
): Promise<boolean> {
  const outcome = await startChildProcess(ctx, child.spec, child.extra, child.poison);
  if (outcome.kind === 'ok') {
    state.setPid(child, outcome.pid, outcome.info);
    emitStarted(ctx, child);
    return true;
  }
  if (outcome.kind === 'ignore') {
    if (state.isSimple || child.spec.restart === 'temporary') state.remove(child);
    else state.setPid(child, undefined);
    return true;
  }
  emit(ctx, {
    type: 'supervisor.start_failed',
    time: ctx.now(),
    supervisor: ctx.self,
    id: child.key,
    reason: outcome.reason,
  });
  state.setPid(child, RESTARTING);
  // OTP casts try_again_restart to itself: the retry runs after what is already queued (item 26).
  ctx.send(ctx.self, { $sup: 'try_again_restart', key: child.key });
  return false;
}

/** Stops one child with the shutdown protocol and reports a shutdown_error if it did not stop cleanly. */
async function stopChild(state: SupervisorState, ctx: ActorContext, child: Child): Promise<void> {
  const pid = child.pid;
  state.setPid(child, undefined);
  if (!isPid(pid)) return;
  const { reason, clean } = await shutdownChild(ctx, pid, child.spec);
  if (!clean) {
    emit(ctx, {
      type: 'supervisor.shutdown_error',
      time: ctx.now(),
      supervisor: ctx.self,
      id: child.key,
      reason,
    });
  }
}

/** Item 34: static children stop one by one in reverse start order; dynamic ones all at once. */
async function terminateChildren(state: SupervisorState, ctx: ActorContext): Promise<void> {
  if (state.isSimple) {
    const live = state.all().filter((c) => isPid(c.pid));
    const pids = live.map((c) => c.pid as Pid);
    for (const c of live) state.setPid(c, undefined);
    if (pids.length > 0 && state.template !== undefined) {
      const reasons = await shutdownMany(ctx, pids, state.template.shutdown);
      reasons.forEach((reason, i) => {
        const template = state.template as NormalizedChildSpec;
        if (!isCleanShutdown(reason, template.shutdown, template.restart === 'permanent')) {
          emit(ctx, {
            type: 'supervisor.shutdown_error',
            time: ctx.now(),
            supervisor: ctx.self,
            id: live[i]?.key ?? '',
            reason,
          });
        }
      });
    }
    state.dynamic.clear();
    return;
  }
  for (const child of [...state.children].reverse()) {
    await stopChild(state, ctx, child);
    if (child.spec.restart === 'temporary') state.remove(child);
  }
}

function emitStarted(ctx: ActorContext, child: Child): void {
  if (isPid(child.pid)) {
    emit(ctx, {
      type: 'supervisor.child_started',
      time: ctx.now(),
      supervisor: ctx.self,
      id: child.key,
      pid: child.pid,
    });
  }
}

function emit(ctx: ActorContext, event: NodeEvent): void {
  const core = coreOf(ctx.node);
  if (core.events.active) core.emit(event);
}
