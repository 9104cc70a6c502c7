import { AgentError, isAgentError } from '../agent/agent-error.js';
import type { Message } from '../model/message.js';
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

/** What a commit is checked against, and what its writer knows of it. */
export interface CommitOptions {
  /** The head the writer last saw: the commit is refused unless it is still the head. */
  readonly expectedHead: number;
  /**
   * The first `unchangedBefore` messages are those of the head checkpoint, the same values in
   * the same places (the writer only appended since): a store may keep what it holds of them
   * instead of writing them again, so a commit costs what the step added, not the whole
   * context. A store may ignore it; 0 or omitted says nothing is known to be unchanged.
   */
  readonly unchangedBefore?: number;
  /**
   * The lease the writer runs the thread under: a store that keeps leases refuses the commit with
   * `ERR_FENCED` (and writes nothing) unless the key's lease still has this token.
   */
  readonly fence?: { readonly key: string; readonly token: number };
}

/**
 * Where an agent's runs are checkpointed, one commit per step. A commit is compare-and-set on the
 * run's head (its latest version, 0 for a run never committed): a stale writer, such as an agent
 * resumed elsewhere while the old one still runs, fails with `ERR_STALE_HEAD` and writes nothing.
 * A commit keeps the messages as they are when it is made: later changes to the array passed in
 * are not part of it.
 */
export interface CheckpointStore {
  commit(checkpoint: Checkpoint, options: CommitOptions): Promise<void>;
  latest(threadId: string): Promise<Checkpoint | undefined>;
}

/** A thread's head: its fields, and its messages as the first `length` of the thread's log. */
interface ThreadHead {
  fields: Omit<Checkpoint, 'messages'>;
  /** The store's own copy of the messages, appended to commit after commit. */
  readonly log: Message[];
  length: number;
  /** The head as `latest` returned it, until the next commit. */
  full: Checkpoint | undefined;
}

/**
 * The in-memory store: a checkpoint survives a crash and restart of the agent's process (the
 * store lives with the behaviour), not a crash of the node. Each thread keeps one log of its
 * messages: a commit copies the messages its writer added since the head (all of them when it
 * cannot tell), so a run's commits cost O(messages added) each instead of O(context) each;
 * `latest` returns the head as a full, frozen checkpoint.
 */
export class MemoryCheckpointStore implements CheckpointStore {
  readonly #heads = new Map<string, ThreadHead>();

  /**
   * `store` itself when it is exactly this class (not a subclass, no method of its own on the
   * instance): an agent then commits and reads through `commitNow` and `latestNow`, without a
   * wait the store never needed. Anything that may override what a commit does (a test's fault
   * injection, a wrapper) is undefined here and is awaited through the interface.
   */
  static syncOf(store: CheckpointStore): MemoryCheckpointStore | undefined {
    return Object.getPrototypeOf(store) === MemoryCheckpointStore.prototype &&
      !Object.hasOwn(store, 'commit') &&
      !Object.hasOwn(store, 'latest')
      ? (store as MemoryCheckpointStore)
      : undefined;
  }

  async commit(checkpoint: Checkpoint, options: CommitOptions): Promise<void> {
    this.commitNow(checkpoint, options);
  }

  async latest(threadId: string): Promise<Checkpoint | undefined> {
    return this.latestNow(threadId);
  }

  /** `commit`, done before it returns: a refusal is thrown, not a rejected promise. */
  commitNow(checkpoint: Checkpoint, options: CommitOptions): void {
    this.commitFieldsNow(fieldsOf(checkpoint), checkpoint.messages, options);
  }

  /**
   * `commitNow` of a checkpoint given as its fields (a fresh object the store keeps: its writer
   * makes one per commit and never touches it again) and its messages (copied as `commit` copies
   * them): how an agent commits, without building the whole checkpoint to take it apart here.
   */
  commitFieldsNow(
    fields: Omit<Checkpoint, 'messages'>,
    messages: readonly Message[],
    options: CommitOptions,
  ): void {
    const { threadId, version } = fields;
    const current = this.#heads.get(threadId);
    const head = current?.fields.version ?? 0;
    if (head !== options.expectedHead) {
      throw new StaleHeadError(threadId, options.expectedHead, head);
    }
    if (version !== head + 1) {
      throw new RangeError(`checkpoint version ${version} does not follow head ${head}`);
    }
    if (current === undefined) {
      this.#heads.set(threadId, {
        fields,
        log: [...messages],
        length: messages.length,
        full: undefined,
      });
      return;
    }
    const log = current.log;
    const keep = kept(log, current.length, messages, options);
    log.length = keep;
    for (let i = keep; i < messages.length; i++) log.push(messages[i] as Message);
    current.fields = fields;
    current.length = messages.length;
    current.full = undefined;
  }

  /** `latest`, answered before it returns. */
  latestNow(threadId: string): Checkpoint | undefined {
    const head = this.#heads.get(threadId);
    if (head === undefined) return undefined;
    if (head.full === undefined) {
      const messages = Object.freeze(head.log.slice(0, head.length));
      head.full = Object.freeze({ ...head.fields, messages });
    }
    return head.full;
  }
}

type Fields = Omit<Checkpoint, 'messages'>;

/**
 * Everything of a checkpoint but its messages, as `const { messages, ...fields } = checkpoint`
 * gives it (symbol-keyed properties aside: a checkpoint is data, and no store keeps those).
 * Written field by field when the checkpoint has only a `Checkpoint`'s fields (an agent's always
 * has): the rest pattern takes a generic path on V8 that cost more than the rest of a commit.
 */
function fieldsOf(checkpoint: Checkpoint): Fields {
  for (const key in checkpoint) {
    if (!isCheckpointField(key)) {
      const { messages: _, ...fields } = checkpoint;
      return fields;
    }
  }
  const fields: { -readonly [K in keyof Fields]: Fields[K] } = {
    threadId: checkpoint.threadId,
    version: checkpoint.version,
    agent: checkpoint.agent,
    task: checkpoint.task,
    step: checkpoint.step,
    state: checkpoint.state,
    spent: checkpoint.spent,
  };
  if ('result' in checkpoint) fields.result = checkpoint.result;
  return fields;
}

function isCheckpointField(key: string): boolean {
  switch (key) {
    case 'threadId':
    case 'version':
    case 'agent':
    case 'task':
    case 'step':
    case 'state':
    case 'messages':
    case 'spent':
    case 'result':
      return true;
    default:
      return false;
  }
}

/**
 * How many of the head's messages the commit keeps: what its writer says is unchanged, within
 * both lengths, and only if the last of them is the very value the log holds there (a cheap
 * check that catches a writer whose count is off; anything else is copied again).
 */
function kept(
  log: readonly Message[],
  length: number,
  messages: readonly Message[],
  options: CommitOptions,
): number {
  const said = options.unchangedBefore ?? 0;
  if (!Number.isInteger(said) || said <= 0) return 0;
  const keep = Math.min(said, length, messages.length);
  return keep > 0 && messages[keep - 1] === log[keep - 1] ? keep : 0;
}
