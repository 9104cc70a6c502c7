import type { AgentBehaviour, AgentTask } from '@warden/agents';
import { defineActor, isPid, type Pid, reply } from '@warden/core';

/** What the workers' supervisor asks a worker node for: one worker, on one ticket's thread. */
export interface WorkerRequest {
  readonly ticket: number;
  /** The thread of the ticket: a worker started again on it resumes from its checkpoint. */
  readonly threadId: string;
  readonly task: string;
  /** Where the worker sends its answer (on the planner's node). */
  readonly replyTo: Pid;
}

export type WorkerStart = { readonly ok: true; readonly pid: Pid } | { readonly ok: false };

/**
 * The process on each worker node that starts workers for a supervisor elsewhere: core has no
 * remote spawn, so the supervisor's start function calls this one. The worker is spawned
 * unlinked (the supervisor links it when the start function returns its pid) and is handed its
 * task by a cast, so it answers the planner's node when done and then stops `normal`.
 */
export function workerSpawner(worker: AgentBehaviour) {
  return defineActor<null, void, unknown>({
    init: () => null,
    handleCall: (request, _from, state, ctx) => {
      if (!isWorkerRequest(request)) return reply({ ok: false } satisfies WorkerStart, state);
      const pid = ctx.spawn(worker, { args: { exitWhenDone: true } });
      const task: AgentTask = {
        task: request.task,
        threadId: request.threadId,
        replyTo: request.replyTo,
        tag: request.ticket,
      };
      ctx.cast(pid, task);
      return reply({ ok: true, pid } satisfies WorkerStart, state);
    },
  });
}

function isWorkerRequest(value: unknown): value is WorkerRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.ticket === 'number' &&
    typeof v.threadId === 'string' &&
    typeof v.task === 'string' &&
    isPid(v.replyTo)
  );
}
