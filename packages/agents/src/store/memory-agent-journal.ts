import { CallIndex } from '../governance/call-index.js';
import {
  checkTransition,
  type EffectChange,
  type EffectEntry,
  type EffectJournal,
  type NewEffect,
} from '../governance/effect-journal.js';
import { GovernanceError } from '../governance/governance-error.js';
import { deepFreeze, frozenCopy } from './frozen-copy.js';
import type { StoreGate } from './store-gate.js';
import { storeJsonCopy } from './store-json.js';
import { effectEntryRecord } from './store-records.js';

interface Kept {
  readonly entry: EffectEntry;
  /** The step of the thread's head checkpoint when the entry began (what pruning goes by). */
  readonly begunStep: number;
}

/**
 * The bundle's effect journal: `MemoryEffectJournal`'s rules (compare-and-set on the version,
 * the effect lifecycle's transitions), with what a durable journal adds: entries kept as JSON
 * copies, the step each began at, and removal by pruning.
 */
export class MemoryAgentJournal implements EffectJournal {
  readonly #entries = new Map<string, Kept>();
  readonly #threads = new Map<string, string[]>();
  readonly #calls = new CallIndex();

  constructor(
    private readonly gate: StoreGate,
    private readonly headStep: (threadId: string) => number,
  ) {}

  async begin(entry: NewEffect): Promise<EffectEntry> {
    this.gate.check();
    if (this.#entries.has(entry.key)) {
      throw new GovernanceError('ERR_JOURNAL_CONFLICT', `journal entry ${entry.key} exists`);
    }
    const copy = storeJsonCopy(entry, 'journal entry');
    const written = deepFreeze(
      effectEntryRecord({
        ...copy,
        version: 1,
        state: 'intent',
        decidedBy: undefined,
        approval: undefined,
        reason: undefined,
        result: undefined,
      }),
    );
    this.#entries.set(written.key, { entry: written, begunStep: this.headStep(written.threadId) });
    const keys = this.#threads.get(written.threadId);
    if (keys === undefined) this.#threads.set(written.threadId, [written.key]);
    else keys.push(written.key);
    this.#calls.began(written);
    return written;
  }

  async get(key: string): Promise<EffectEntry | undefined> {
    this.gate.check();
    return this.#entries.get(key)?.entry;
  }

  async advance(key: string, expectedVersion: number, change: EffectChange): Promise<EffectEntry> {
    this.gate.check();
    const kept = this.#entries.get(key);
    const current = kept?.entry;
    if (kept === undefined || current === undefined || current.version !== expectedVersion) {
      throw new GovernanceError(
        'ERR_JOURNAL_CONFLICT',
        `journal entry ${key}: expected version ${expectedVersion}, found ${current?.version ?? 'none'}`,
      );
    }
    checkTransition(current.state, change.state, key);
    const next = deepFreeze(
      effectEntryRecord({
        ...current,
        version: current.version + 1,
        state: change.state,
        at: change.at,
        decidedBy: change.decidedBy ?? current.decidedBy,
        approval: change.approval ?? current.approval,
        reason: change.reason ?? current.reason,
        result: change.result === undefined ? current.result : frozenCopy(change.result, 'result'),
      }),
    );
    this.#entries.set(key, { entry: next, begunStep: kept.begunStep });
    return next;
  }

  async list(threadId: string): Promise<readonly EffectEntry[]> {
    this.gate.check();
    return (this.#threads.get(threadId) ?? []).map((k) => (this.#entries.get(k) as Kept).entry);
  }

  async listCall(
    threadId: string,
    tool: string,
    argsHash: string,
  ): Promise<readonly EffectEntry[]> {
    this.gate.check();
    const entryOf = (key: string) => (this.#entries.get(key) as Kept).entry;
    const keys = this.#calls.keysOf(
      threadId,
      tool,
      argsHash,
      () => this.#threads.get(threadId) ?? [],
      entryOf,
    );
    return keys.map(entryOf);
  }

  /** Removes the thread's entries `drop` picks; answers how many. */
  remove(threadId: string, drop: (entry: EffectEntry, begunStep: number) => boolean): number {
    this.#calls.forget(threadId);
    const keys = this.#threads.get(threadId) ?? [];
    const left = keys.filter((key) => {
      const kept = this.#entries.get(key) as Kept;
      if (!drop(kept.entry, kept.begunStep)) return true;
      this.#entries.delete(key);
      return false;
    });
    if (left.length === 0) this.#threads.delete(threadId);
    else this.#threads.set(threadId, left);
    return keys.length - left.length;
  }
}
