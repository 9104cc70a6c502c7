import type { Address, StopOptions } from '../context.js';
import { invalidArgument, isWardenError, WardenError } from '../errors.js';
import { type ExitReason, formatReason, isExitReason, sameReason } from '../exit-reason.js';
import { Pid } from '../pid.js';
import { ActorRunner } from './actor-runner.js';
import type { NodeCore } from './node-core.js';
import { StopRequest } from './stop-request.js';

/**
 * OTP's `gen_server:stop(Ref, Reason, Timeout)` (proc_lib:stop): monitors the target, asks it to
 * stop, and settles on its DOWN. Resolves when it ended with `reason`; rejects with `ERR_EXIT`
 * carrying the reason it ended with instead, `ERR_NOPROC` when there is no such process, and
 * `ERR_STOP_TIMEOUT` when it has not ended in time. As in OTP, a timeout leaves the process to
 * finish its `terminate`: it is not killed (decision 0020).
 *
 * A `defineActor` process runs `terminate` first; a process function has none and ends with
 * `reason` at once, its signal aborted like any exit's.
 */
export function stopProcess(
  core: NodeCore,
  target: Address,
  reason: ExitReason,
  options: StopOptions | undefined,
): Promise<void> {
  if (!isExitReason(reason))
    return Promise.reject(invalidArgument('reason', reason, 'an exit reason'));
  const timeout = options?.timeout ?? Number.POSITIVE_INFINITY;
  if (typeof timeout !== 'number' || !(timeout >= 0)) {
    return Promise.reject(invalidArgument('timeout', timeout, 'a number >= 0 or Infinity'));
  }
  if (typeof target !== 'string' && !(target instanceof Pid)) {
    return Promise.reject(invalidArgument('target', target, 'a pid or a registered name'));
  }
  if (core.stopped) {
    return Promise.reject(new WardenError('ERR_NODE_STOPPED', `node ${core.name} is stopped`));
  }
  const pid = core.router.resolve(target);
  if (pid !== undefined && !core.isLocal(pid)) {
    return Promise.reject(invalidArgument('target', String(pid), 'a process of this node'));
  }
  const proc = pid === undefined ? undefined : core.local(pid);
  if (pid === undefined || proc === undefined || proc === core.system) {
    return Promise.reject(new WardenError('ERR_NOPROC', `no process ${String(target)} to stop`));
  }
  // The wait is a call with no request: its monitor's DOWN settles it (see Calls).
  const ended = new Promise<void>((resolve, reject) => {
    const ref = core.newRef();
    core.calls.table.add(ref, core.system, pid, () => resolve(), reject);
    core.signals.watch(core.system, ref, pid);
    if (timeout !== Number.POSITIVE_INFINITY) {
      const timer = core.clock.setTimer(timeout, () =>
        core.calls.failCall(
          ref,
          new WardenError('ERR_STOP_TIMEOUT', `${pid} did not stop within ${timeout} ms`),
        ),
      );
      core.calls.table.setTimer(ref, timer);
    }
  });
  if (proc.runner instanceof ActorRunner)
    core.router.deliver(proc, new StopRequest(reason), true, false);
  else core.terminate(proc, reason, 'stopped');
  return ended.then(undefined, (error: unknown) => {
    if (isWardenError(error, 'ERR_EXIT') && error.reason !== undefined) {
      if (sameReason(error.reason, reason)) return;
      throw new WardenError(
        'ERR_EXIT',
        `${pid} ended with ${formatReason(error.reason)}, not ${formatReason(reason)}`,
        { reason: error.reason },
      );
    }
    throw error;
  });
}
