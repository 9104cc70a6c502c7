import { AgentError, isAgentError } from '../agent/agent-error.js';
import type { Checkpoint } from './checkpoint.js';

/** Thrown by a commit whose `expectedHead` is not the run's head: another writer moved it. */
export class StaleHeadError extends AgentError {
  readonly threadId: string;
  readonly expected: number;
  readonly actual: number;

  constructor(threadId: string, expected: number, actual: number) {
    super(
      'ERR_STALE_HEAD',
      `stale checkpoint writer for ${threadId}: expected head ${expected}, found ${actual}`,
      {
        detail: { threadId, expected, actual },
      },
    );
    this.name = 'StaleHeadError';
    this.threadId = threadId;
    this.expected = expected;
    this.actual = actual;
  }
}

/** Recognises a stale-writer refusal, also as data that crossed the wire. */
export function isStaleHeadError(value: unknown): boolean {
  return isAgentError(value, 'ERR_STALE_HEAD');
}

/**
 * Where an agent's runs are checkpointed, one commit per step. A commit is compare-and-set on the
 * run's head (its latest version, 0 for a run never committed): a stale writer, such as an agent
 * resumed elsewhere while the old one still runs, fails with `ERR_STALE_HEAD` and writes nothing.
 */
export interface CheckpointStore {
  commit(checkpoint: Checkpoint, options: { readonly expectedHead: number }): Promise<void>;
  latest(threadId: string): Promise<Checkpoint | undefined>;
}

/**
 * The in-memory store: a checkpoint survives a crash and restart of the agent's process (the
 * store lives with the behaviour), not a crash of the node.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #heads = new Map<string, Checkpoint>();

  async commit(checkpoint: Checkpoint, options: { readonly expectedHead: number }): Promise<void> {
    const head = this.#heads.get(checkpoint.threadId)?.version ?? 0;
    if (head !== options.expectedHead) {
      throw new StaleHeadError(checkpoint.threadId, options.expectedHead, head);
    }
    if (checkpoint.version !== head + 1) {
      throw new RangeError(`checkpoint version ${checkpoint.version} does not follow head ${head}`);
    }
    this.#heads.set(checkpoint.threadId, freeze(checkpoint));
  }

  async latest(threadId: string): Promise<Checkpoint | undefined> {
    return this.#heads.get(threadId);
  }
}

function freeze(checkpoint: Checkpoint): Checkpoint {
  // Messages are immutable values; copying the array keeps later appends out of the commit.
  return Object.freeze({ ...checkpoint, messages: Object.freeze([...checkpoint.messages]) });
}
