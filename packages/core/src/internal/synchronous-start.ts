import { IGNORE, type Ignore } from '../actor-result.js';
import type { Behaviour } from '../behaviour.js';
import type { SpawnOptions } from '../context.js';
import { WardenError } from '../errors.js';
import { type ExitReason, formatReason } from '../exit-reason.js';
import type { Pid } from '../pid.js';
import type { NodeCore } from './node-core.js';
import type { Process } from './process.js';
import { NEVER } from './runner.js';

/**
 * Spawns and waits until `init` has finished (OTP's synchronous start, decision 0009). Resolves
 * with the pid or `IGNORE`; rejects with `ERR_START_FAILED` carrying the exit reason. A fenced
 * parent starts nothing and waits for ever, as its code after the kill never resumes.
 */
export function startProcess<A>(
  core: NodeCore,
  parent: Process | undefined,
  behaviour: Behaviour<A>,
  options: SpawnOptions<A> | undefined,
  link: boolean,
): Promise<Pid | Ignore> {
  let pid: Pid;
  try {
    pid = core.spawn(behaviour, options, parent, link);
  } catch (error) {
    return Promise.reject(error);
  }
  const proc = core.local(pid);
  if (proc === undefined) return parent?.dead ? NEVER : Promise.reject(startFailed(pid, 'noproc'));
  return new Promise((resolve, reject) => {
    proc.onStarted = (outcome) => {
      if (outcome.kind === 'started') {
        resolve(pid);
        return;
      }
      // Like proc_lib's synchronous start: the failure is reported here, not by an exit signal.
      if (parent !== undefined && link) {
        parent.links?.delete(pid.key);
        proc.links?.delete(parent.pid.key);
      }
      if (outcome.kind === 'ignored') resolve(IGNORE);
      else reject(startFailed(pid, outcome.reason));
    };
  });
}

function startFailed(pid: Pid, reason: ExitReason): WardenError {
  return new WardenError('ERR_START_FAILED', `${pid} failed to start: ${formatReason(reason)}`, {
    reason,
  });
}
