import { IGNORE, type Ignore, reply, type Stop, stop } from '../actor-result.js';
import { type ActorBehaviour, defineActor } from '../behaviour.js';
import type { ActorContext } from '../context.js';
import { shutdownWith } from '../exit-reason.js';
import { ExitMessage } from '../messages.js';
import { MeterReport } from '../meter-report.js';
import { startChildProcess } from './child-lifecycle.js';
import { type ChildSpec, validateChildSpecs } from './child-spec.js';
import { type SupervisorFlags, validateFlags } from './flags.js';
import {
  isSelfMessage,
  isSupervisorRequest,
  type SupervisorRequest,
} from './supervisor-messages.js';
import { onReport } from './supervisor-meters.js';
import { handleRequest } from './supervisor-requests.js';
import {
  emit,
  emitStarted,
  emitStartFailed,
  onExit,
  performRestart,
  restart,
  terminateChildren,
} from './supervisor-restarts.js';
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
 * intensity, and shuts them down in reverse start order. docs/semantics.md sections 1-9.
 */
export const Supervisor: ActorBehaviour<SupervisorState, SupervisorInit> = defineActor<
  SupervisorState,
  SupervisorInit
>({
  init: (init, ctx) => initSupervisor(init, ctx),
  handleCall: async (request: SupervisorRequest, _from, state, ctx) => {
    if (!isSupervisorRequest(request)) {
      // Never a silent undefined: the caller gets an answer it can match, the node an event.
      reportUnexpected(ctx, request);
      return reply({ ok: false, error: 'unknown_request' }, state);
    }
    return reply(await handleRequest(request, state, ctx), state);
  },
  handleInfo: async (message: unknown, state, ctx): Promise<Result> => {
    if (message instanceof ExitMessage) return onExit(state, ctx, message.from, message.reason);
    if (message instanceof MeterReport) return onReport(state, ctx, message);
    if (isSelfMessage(message)) {
      const child = state.byKey(message.key);
      if (child?.pid !== RESTARTING) return state;
      if (message.$sup === 'try_again_restart') return restart(state, ctx, child);
      return performRestart(state, ctx, child);
    }
    reportUnexpected(ctx, message);
    return state;
  },
  // OTP's handle_cast catch-all: a stray cast is reported, never a reason to crash the subtree.
  handleCast: (message: unknown, state, ctx) => {
    reportUnexpected(ctx, message);
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
  // Before any child starts, so that what a child spends in its init is counted.
  if (flags.meters !== undefined) ctx.collectReports(flags.meters.map((m) => m.name));
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
      emitStartFailed(ctx, child, outcome.reason);
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

/** A message or cast a supervisor has no use for: reported, as OTP's catch-all clauses log it. */
function reportUnexpected(ctx: ActorContext, message: unknown): void {
  emit(ctx, {
    type: 'supervisor.unexpected_message',
    time: ctx.now(),
    supervisor: ctx.self,
    message,
  });
}
