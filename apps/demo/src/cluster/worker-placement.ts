import { type AgentTask, type CapabilitySet, startOnHost } from '@warden/agents';
import type { ActorContext, Pid } from '@warden/core';

/** What the workers' supervisor starts a worker with: one worker, on one ticket's thread. */
export interface WorkerRequest {
  readonly ticket: number;
  /** The thread of the ticket: a worker started again on it resumes from its checkpoint. */
  readonly threadId: string;
  readonly task: string;
  /** Where the worker sends its answer (on the planner's node). */
  readonly replyTo: Pid;
}

/** How long the start function waits for one worker node's agent host (node clock, ms). */
const SPAWN_TIMEOUT_MS = 2_000;

/** Where one worker was started. */
export interface Placed {
  readonly ticket: number;
  readonly on: string;
  readonly pid: Pid;
}

/**
 * Where the workers' supervisor starts its children: on the worker nodes, round-robin over those
 * connected now. Its `start` is the supervisor's start function for a worker, so a restart after
 * a node died runs it again and lands on a node that is still up: that is how a worker's
 * supervisor on one node restarts it on another. The same thread id goes with every start, so
 * the new worker resumes from the checkpoint the lost one committed.
 */
export class WorkerPlacement {
  readonly placed: Placed[] = [];
  #next = 0;

  constructor(
    /** The agent host (`agentHost`) of each worker node, in placement order. */
    private readonly spawners: ReadonlyMap<string, Pid>,
    /** What a worker may do: sent as data, bounded again by each host's ceiling. */
    private readonly rights: CapabilitySet,
    private readonly onPlaced: (placed: Placed, attempt: number) => void,
  ) {}

  /** The supervisor's start function for a worker: resolves with the remote worker's pid. */
  readonly start = async (ctx: ActorContext, extra: unknown): Promise<Pid> => {
    const request = extra as WorkerRequest;
    const connected = new Set(ctx.node.nodes());
    const live = [...this.spawners.keys()].filter((name) => connected.has(name));
    for (let i = 0; i < live.length; i++) {
      const on = live[this.#next++ % live.length] as string;
      try {
        const pid = await startOnHost(ctx, this.spawners.get(on) as Pid, 'worker', this.rights, {
          exitWhenDone: true,
          timeoutMs: SPAWN_TIMEOUT_MS,
        });
        // It answers the planner's node when done, then stops `normal`.
        const task: AgentTask = {
          task: request.task,
          threadId: request.threadId,
          replyTo: request.replyTo,
          tag: request.ticket,
        };
        ctx.cast(pid, task);
        const placed = { ticket: request.ticket, on, pid };
        this.placed.push(placed);
        const attempt = this.placed.filter((p) => p.ticket === request.ticket).length;
        this.onPlaced(placed, attempt);
        return pid;
      } catch {
        // That node went down between the check and the call, or refused: try the next one.
      }
    }
    throw new Error(`no worker node could start a worker for ticket ${request.ticket}`);
  };

  /** The ticket and node of a worker pid this placement started. */
  find(pid: Pid): Placed | undefined {
    return this.placed.find((p) => p.pid.key === pid.key);
  }
}
