import { type Stop, stop } from '../actor-result.js';
import type { ActorContext } from '../context.js';
import type { SupervisorEvent } from '../events.js';
import type { ExitReason } from '../exit-reason.js';
import { isPid, type Pid } from '../pid.js';
import {
  isCleanShutdown,
  shutdownChild,
  shutdownMany,
  startChildProcess,
} from './child-lifecycle.js';
import type { NormalizedChildSpec } from './child-spec.js';
import { addRestart } from './intensity.js';
import { restartDelay } from './restart-backoff.js';
import { planRestart, shouldRestart } from './restart-policy.js';
import { type Child, RESTARTING, type SupervisorState } from './supervisor-state.js';

/*
 * What a supervisor does when a child exits: the restart decision, the intensity window, the
 * strategy's group restart, failed-restart retries, and the shutdown of children (docs/semantics.md
 * sections 3-8).
 */

type Result = SupervisorState | Stop<SupervisorState>;

/** A child's EXIT: restart it, or forget it, as its restart type and the strategy say. */
export async function onExit(
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
export async function restart(
  state: SupervisorState,
  ctx: ActorContext,
  child: Child,
): Promise<Result> {
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
export async function performRestart(
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
  emitStartFailed(ctx, child, outcome.reason);
  state.setPid(child, RESTARTING);
  // OTP casts try_again_restart to itself: the retry runs after what is already queued (item 26).
  ctx.send(ctx.self, { $sup: 'try_again_restart', key: child.key });
  return false;
}

/** Stops one child with the shutdown protocol and reports a shutdown_error if it did not stop cleanly. */
export async function stopChild(
  state: SupervisorState,
  ctx: ActorContext,
  child: Child,
): Promise<void> {
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
export async function terminateChildren(state: SupervisorState, ctx: ActorContext): Promise<void> {
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

export function emitStarted(ctx: ActorContext, child: Child): void {
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

export function emitStartFailed(ctx: ActorContext, child: Child, reason: ExitReason): void {
  emit(ctx, {
    type: 'supervisor.start_failed',
    time: ctx.now(),
    supervisor: ctx.self,
    id: child.key,
    reason,
  });
}

/** Reports on the node's stream through the context, as any user-written behaviour would. */
export function emit(ctx: ActorContext, event: SupervisorEvent): void {
  ctx.publish(event);
}
