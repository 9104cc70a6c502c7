import { isDeepStrictEqual } from 'node:util';
import { BenchCheckError } from '../check.js';
import type { Turn } from '../workloads/durability-conversation.js';

/** A thread's head as read back from a store: the step it was committed at and its turns. */
export interface StoredThread {
  readonly step: number;
  readonly turns: readonly Turn[];
}

/**
 * One durable checkpointer (warden's store or a LangGraph saver) on one database, storing the
 * conversation of `durability-conversation.ts` one message per step, the way its framework
 * stores an agent's messages: warden a commit of the checkpoint with the writer's
 * `unchangedBefore`, LangGraph a `put` of the checkpoint with the messages channel as its value.
 */
export interface DurableRig {
  /** Takes the thread's turns and makes its messages, outside any timing. */
  begin(threadId: string, turns: readonly Turn[]): void;
  /**
   * Builds the thread's next checkpoint (one more message than its head) and returns the store
   * call alone, to be timed: `commit` for warden, `put` for LangGraph.
   */
  next(threadId: string): () => Promise<void>;
  /** The head, read as a resume reads it: warden `latest`, LangGraph `getTuple`. */
  latest(threadId: string): Promise<StoredThread | undefined>;
  /** How many checkpoints of the thread the store holds. */
  checkpoints(threadId: string): Promise<number>;
  /** Closes the connection (and checks what it ran with, where the rig can tell). */
  close(): Promise<void>;
}

/**
 * Throws `BenchCheckError` unless the store holds `steps` checkpoints of the thread and its head
 * is step `steps` with exactly the first `steps` turns: every commit of the run was stored, and
 * what is read back is what was written.
 */
export async function checkThread(
  rig: DurableRig,
  threadId: string,
  turns: readonly Turn[],
  steps: number,
): Promise<void> {
  const head = await rig.latest(threadId);
  expectHead(threadId, head, turns, steps);
  const stored = await rig.checkpoints(threadId);
  if (stored !== steps) {
    throw new BenchCheckError(`${threadId}: ${stored} checkpoints stored, expected ${steps}`);
  }
}

/** Throws `BenchCheckError` unless `head` is step `steps` holding the first `steps` turns. */
export function expectHead(
  threadId: string,
  head: StoredThread | undefined,
  turns: readonly Turn[],
  steps: number,
): void {
  if (head === undefined) throw new BenchCheckError(`${threadId}: no checkpoint read back`);
  if (head.step !== steps) {
    throw new BenchCheckError(`${threadId}: head at step ${head.step}, expected ${steps}`);
  }
  if (head.turns.length !== steps) {
    throw new BenchCheckError(`${threadId}: ${head.turns.length} messages, expected ${steps}`);
  }
  for (let i = 0; i < steps; i++) {
    if (!isDeepStrictEqual(head.turns[i], turns[i])) {
      throw new BenchCheckError(`${threadId}: message ${i} read back differs from the one written`);
    }
  }
}
