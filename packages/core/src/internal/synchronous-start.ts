import { IGNORE, type Ignore } from '../actor-result.js';
import type { Behaviour } from '../behaviour.js';
import type { StartOptions } from '../context.js';
import { invalidArgument, WardenError } from '../errors.js';
import { type ExitReason, formatReason } from '../exit-reason.js';
import type { Pid } from '../pid.js';
import type { NodeCore } from './node-core.js';
import type { Process, StartOutcome } from './process.js';
import { never } from './runner.js';

/**
 * Spawns and waits until `init` has finished (OTP's synchronous start, decision 0009). Resolves
 * with the pid or `IGNORE`; rejects with `ERR_START_FAILED` carrying the exit reason. A fenced
 * parent starts nothing and waits for ever, as its code after the kill never resumes.
 *
 * With `timeout` (OTP's `{timeout, T}`, on the node's clock): an `init` still running when it is
 * up is killed like proc_lib does (unlinked first, so the caller is not taken down with it), its
 * name is released with it, and the start rejects with `ERR_START_TIMEOUT`.
 */
export function startProcess<A>(
  core: NodeCore,
  parent: Process | undefined,
  behaviour: Behaviour<A>,
  options: StartOptions<A> | undefined,
  link: boolean,
): Promise<Pid | Ignore> {
  const timeout = options?.timeout ?? Number.POSITIVE_INFINITY;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    return Promise.reject(invalidArgument('timeout', timeout, 'a number >= 0 or Infinity'));
  }
  let pid: Pid;
  try {
    pid = core.spawn(behaviour, options, parent, link);
  } catch (error) {
    return Promise.reject(error);
  }
  const proc = core.local(pid);
  if (proc === undefined)
    return parent?.dead ? never() : Promise.reject(startFailed(pid, 'noproc'));
  return new Promise((resolve, reject) => {
    let timedOut = false;
    const timer =
      timeout === Number.POSITIVE_INFINITY
        ? undefined
        : core.clock.setTimer(timeout, () => {
            timedOut = true;
            core.terminate(proc, 'killed', 'signal');
          });
    // Named first, then stored: V8 allocates a function literal assigned straight to a property
    // in the old generation, where it would hold this start's young context (and through it the
    // whole node) past every young collection until a full one.
    const onStarted = (outcome: StartOutcome) => {
      if (timer !== undefined && !timedOut) core.clock.clearTimer(timer);
      if (timedOut) {
        unlinkParent(parent, link, pid, proc);
        reject(startTimeout(pid, timeout));
        return;
      }
      if (outcome.kind === 'started') {
        resolve(pid);
        return;
      }
      // Like proc_lib's synchronous start: the failure is reported here, not by an exit signal.
      unlinkParent(parent, link, pid, proc);
      if (outcome.kind === 'ignored') resolve(IGNORE);
      else reject(startFailed(pid, outcome.reason));
    };
    proc.onStarted = onStarted;
  });
}

function unlinkParent(parent: Process | undefined, link: boolean, pid: Pid, proc: Process): void {
  if (parent !== undefined && link) {
    parent.links?.delete(pid.key);
    proc.links?.delete(parent.pid.key);
  }
}

function startTimeout(pid: Pid, ms: number): WardenError {
  return new WardenError('ERR_START_TIMEOUT', `${pid} did not finish init within ${ms} ms`, {
    reason: 'killed',
  });
}

function startFailed(pid: Pid, reason: ExitReason): WardenError {
  return new WardenError('ERR_START_FAILED', `${pid} failed to start: ${formatReason(reason)}`, {
    reason,
  });
}
