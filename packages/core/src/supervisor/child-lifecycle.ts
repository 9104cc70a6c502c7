import { IGNORE } from '../actor-result.js';
import type { ActorContext } from '../context.js';
import { isWardenError } from '../errors.js';
import { type ExitReason, errorReason, isShutdown } from '../exit-reason.js';
import { DownMessage, ExitMessage } from '../messages.js';
import { isPid, type Pid } from '../pid.js';
import type { PoisonGuard } from '../poison-guard.js';
import type { Ref } from '../ref.js';
import type { NormalizedChildSpec, Shutdown } from './child-spec.js';
import { dynamicArgs } from './dynamic-args.js';
import { watchLinks } from './watch-links.js';

export type StartOutcome =
  | { readonly kind: 'ok'; readonly pid: Pid; readonly info: unknown }
  | { readonly kind: 'ignore' }
  | { readonly kind: 'error'; readonly reason: ExitReason };

/**
 * Starts one child linked to the supervisor and waits for its init (OTP `do_start_child_i`):
 * a pid, `{ pid, info }` or `IGNORE` are results; a throw, a failed init or any other value is an
 * error with a reason.
 */
export async function startChildProcess(
  ctx: ActorContext,
  spec: NormalizedChildSpec,
  extra: unknown,
  poison: PoisonGuard | undefined,
): Promise<StartOutcome> {
  const start = spec.start;
  try {
    if (typeof start === 'function') {
      const watched = watchLinks(ctx);
      const result = await start(watched.ctx, extra);
      if (result === IGNORE) return { kind: 'ignore' };
      if (isPid(result)) {
        if (!watched.touched.has(result.key)) ctx.link(result);
        return { kind: 'ok', pid: result, info: undefined };
      }
      if (
        typeof result === 'object' &&
        result !== null &&
        isPid((result as { pid?: unknown }).pid)
      ) {
        if (!watched.touched.has(result.pid.key)) ctx.link(result.pid);
        return { kind: 'ok', pid: result.pid, info: result.info };
      }
      return {
        kind: 'error',
        reason: {
          tag: 'error',
          name: 'BadReturn',
          message: `start of ${spec.id} returned ${String(result)}`,
        },
      };
    }
    const args = dynamicArgs(start.args, extra);
    const options =
      poison === undefined ? { ...start.options, args } : { ...start.options, args, poison };
    const result = await ctx.startLink(start.behaviour, options);
    return result === IGNORE ? { kind: 'ignore' } : { kind: 'ok', pid: result, info: undefined };
  } catch (error) {
    const reason =
      isWardenError(error, 'ERR_START_FAILED') && error.reason !== undefined
        ? error.reason
        : errorReason(error);
    return { kind: 'error', reason };
  }
}

/**
 * OTP's shutdown protocol for one child (items 29-33): monitor it, send `shutdown` (or `kill`
 * for `brutal_kill`), wait up to the shutdown time for the DOWN, then kill and wait again. The
 * DOWN, not the link, ends the wait, so a child that unlinked itself cannot hang the supervisor;
 * the child's EXIT is consumed on the way. Returns the exit reason and whether it counts as a
 * clean shutdown.
 */
export async function shutdownChild(
  ctx: ActorContext,
  pid: Pid,
  spec: Pick<NormalizedChildSpec, 'shutdown' | 'restart'>,
): Promise<{ reason: ExitReason; clean: boolean }> {
  const [reason] = (await shutdownMany(ctx, [pid], spec.shutdown)) as [ExitReason];
  return { reason, clean: isCleanShutdown(reason, spec.shutdown, spec.restart === 'permanent') };
}

/**
 * Shuts down several children at once with one shared timer (how `simple_one_for_one` stops its
 * children, item 34). Returns each child's exit reason, in the order given.
 *
 * One timer serves the whole wait (a message to self), and the children's EXITs are consumed as
 * they come, so the mailbox head always matches and stopping N children stays linear. A group
 * restart stops its siblings one at a time through here, so the per-call state is one index by
 * pid and three arrays.
 */
export async function shutdownMany(
  ctx: ActorContext,
  pids: readonly Pid[],
  shutdown: Shutdown,
): Promise<ExitReason[]> {
  const index = new Map<string, number>();
  const refs: Ref[] = [];
  const reasons: (ExitReason | undefined)[] = new Array(pids.length).fill(undefined);
  const exits: (ExitReason | undefined)[] = new Array(pids.length).fill(undefined);
  pids.forEach((pid, i) => {
    refs.push(ctx.monitor(pid));
    index.set(pid.key, i);
  });
  const signal = shutdown === 'brutal_kill' ? 'kill' : 'shutdown';
  for (const pid of pids) ctx.exit(pid, signal);
  const timeUp = { shutdownTimeUp: true };
  const timer =
    typeof shutdown === 'number' ? ctx.sendAfter(ctx.self, timeUp, shutdown) : undefined;
  const ours = (m: unknown): m is DownMessage | ExitMessage => {
    if (m instanceof DownMessage) {
      const i = index.get(m.pid.key);
      return i !== undefined && refs[i] === m.ref && reasons[i] === undefined;
    }
    return m instanceof ExitMessage && index.has(m.from.key);
  };
  let waiting = pids.length;
  while (waiting > 0) {
    const message = await ctx.receive((m) => m === timeUp || ours(m));
    if (message === timeUp) {
      // Shutdown time is up: kill whoever is left, then wait for them without a limit.
      pids.forEach((pid, i) => {
        if (reasons[i] === undefined) ctx.exit(pid, 'kill');
      });
    } else if (message instanceof ExitMessage) {
      exits[index.get(message.from.key) as number] = message.reason;
    } else {
      const down = message as DownMessage;
      const i = index.get(down.pid.key) as number;
      reasons[i] = down.reason === 'noproc' && exits[i] !== undefined ? exits[i] : down.reason;
      waiting--;
    }
  }
  if (timer !== undefined) ctx.cancelTimer(timer);
  for (const pid of pids) ctx.unlink(pid);
  // An EXIT queued before the DOWN matched first, or a timer that fired with the last DOWN.
  ctx.flush((m) => (m instanceof ExitMessage && index.has(m.from.key)) || m === timeUp);
  return reasons as ExitReason[];
}

/** Items 29-30: what a child may exit with when told to stop without it being a shutdown_error. */
export function isCleanShutdown(
  reason: ExitReason,
  shutdown: Shutdown,
  permanent: boolean,
): boolean {
  const expected = shutdown === 'brutal_kill' ? 'killed' : 'shutdown';
  if (reason === expected) return true;
  if (permanent) return false;
  return reason === 'normal' || isShutdown(reason);
}
