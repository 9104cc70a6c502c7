import type { Message } from '../model/message.js';
import type { Checkpoint } from './checkpoint.js';
import {
  type CheckpointStore,
  type CommitOptions,
  MemoryCheckpointStore,
  StaleHeadError,
} from './checkpoint-store.js';
import { deepFreeze } from './frozen-copy.js';
import { fenced } from './lease-rules.js';
import type { MemoryLeaseStore } from './memory-lease-store.js';
import type { StoreGate } from './store-gate.js';
import { encodeStoreJson } from './store-json.js';
import { checkpointRecord } from './store-records.js';

/** What the bundle knows of a thread's head, for fencing, pruning and usage. */
export interface ThreadHead {
  readonly store: MemoryCheckpointStore;
  readonly version: number;
  readonly step: number;
  /** Store-clock time of the commit. */
  readonly at: number;
  readonly finished: boolean;
  /** The head's messages as stored (frozen JSON copies). */
  readonly messages: readonly Message[];
  /** The encoded size of each message, and of the other fields. */
  readonly sizes: readonly number[];
  readonly messageBytes: number;
  readonly fieldBytes: number;
}

/**
 * The bundle's checkpoints: a `MemoryCheckpointStore` per thread (a thread removed by pruning is
 * dropped whole), fed JSON copies of what the writer commits, so the head is what a durable store
 * would give back and nothing the writer does afterwards reaches it. A commit copies only the
 * messages after what its writer says is unchanged (checked on the last of them, by its JSON),
 * and checks its fence and head and writes in one synchronous step.
 */
export class MemoryAgentCheckpoints implements CheckpointStore {
  readonly #threads = new Map<string, ThreadHead>();

  constructor(
    private readonly gate: StoreGate,
    private readonly leases: MemoryLeaseStore,
    private readonly now: () => number,
  ) {}

  async commit(checkpoint: Checkpoint, options: CommitOptions): Promise<void> {
    this.gate.check();
    const { threadId, version } = checkpoint;
    const fence = options.fence;
    if (fence !== undefined && !this.leases.heldUnder(fence.key, fence.token)) {
      throw fenced(fence.key);
    }
    const thread = this.#threads.get(threadId);
    const head = thread?.version ?? 0;
    if (head !== options.expectedHead) {
      throw new StaleHeadError(threadId, options.expectedHead, head);
    }
    if (version !== head + 1) {
      throw new RangeError(`checkpoint version ${version} does not follow head ${head}`);
    }
    const messages = checkpoint.messages;
    const keep = unchanged(thread?.messages ?? [], messages, options.unchangedBefore);
    const stored = (thread?.messages ?? []).slice(0, keep);
    const sizes = (thread?.sizes ?? []).slice(0, keep);
    let messageBytes = 0;
    for (const size of sizes) messageBytes += size;
    for (let i = keep; i < messages.length; i++) {
      const text = encodeStoreJson(messages[i], `message ${i}`);
      sizes.push(Buffer.byteLength(text));
      messageBytes += sizes[sizes.length - 1] as number;
      stored.push(deepFreeze(JSON.parse(text) as Message));
    }
    const { messages: _, ...rest } = checkpointRecord(checkpoint, []);
    const fieldsText = encodeStoreJson(rest, 'checkpoint');
    const record = checkpointRecord(deepFreeze(JSON.parse(fieldsText)), stored);
    const store = thread?.store ?? new MemoryCheckpointStore();
    // Its checks are the ones made above: the commit cannot fail, and its body runs now.
    const written = store.commit(record, { expectedHead: head, unchangedBefore: keep });
    this.#threads.set(threadId, {
      store,
      version,
      step: record.step,
      at: this.now(),
      finished: record.result !== undefined,
      messages: stored,
      sizes,
      messageBytes,
      fieldBytes: Buffer.byteLength(fieldsText),
    });
    await written;
  }

  async latest(threadId: string): Promise<Checkpoint | undefined> {
    this.gate.check();
    return this.#threads.get(threadId)?.store.latest(threadId);
  }

  head(threadId: string): ThreadHead | undefined {
    return this.#threads.get(threadId);
  }

  forget(threadId: string): void {
    this.#threads.delete(threadId);
  }
}

/**
 * How many of the head's messages the commit keeps: what its writer says is unchanged, within
 * both lengths, if the last of them has the JSON of the stored one (a writer whose count is off
 * gets everything copied again).
 */
function unchanged(
  stored: readonly Message[],
  messages: readonly Message[],
  said: number | undefined,
): number {
  if (said === undefined || !Number.isInteger(said) || said <= 0) return 0;
  const keep = Math.min(said, stored.length, messages.length);
  if (keep === 0) return 0;
  const last = encodeStoreJson(messages[keep - 1], `message ${keep - 1}`);
  return last === encodeStoreJson(stored[keep - 1], 'stored message') ? keep : 0;
}
