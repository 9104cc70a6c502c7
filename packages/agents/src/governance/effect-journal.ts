import type { Effect } from '../tools/tool.js';
import { CallIndex } from './call-index.js';
import { GovernanceError } from './governance-error.js';

/**
 * Where a tool call stands: `intent` (asked for), `awaiting_approval`, `approved` or `denied`,
 * `executing` (its `run` may have started), then `done` (result stored), `failed` (`run` threw or
 * timed out) or `unknown` (it was executing when its agent died: it may or may not have happened).
 * An `unknown` call goes to `executing` again, with the same key, when its tool is a read or
 * declared itself idempotent, or when a person approved running it again; it goes to `failed`
 * when a person, a policy or a deadline decided it is not run again.
 */
export type EffectState =
  | 'intent'
  | 'awaiting_approval'
  | 'approved'
  | 'denied'
  | 'executing'
  | 'done'
  | 'failed'
  | 'unknown';

/** The transitions of the effect lifecycle; anything else is `ERR_INVALID_TRANSITION`. */
export const EFFECT_TRANSITIONS: Readonly<Record<EffectState, readonly EffectState[]>> = {
  intent: ['awaiting_approval', 'approved', 'denied'],
  awaiting_approval: ['approved', 'denied'],
  approved: ['executing'],
  denied: [],
  executing: ['done', 'failed', 'unknown'],
  done: [],
  failed: [],
  /** Run again with the same key (safe, or approved), or settled as not run again. */
  unknown: ['executing', 'failed'],
};

export interface EffectEntry {
  /** The call's idempotency key (thread, step, position, canonical arguments). */
  readonly key: string;
  /** 1 when written as `intent`, one more per transition: the compare-and-set token. */
  readonly version: number;
  readonly state: EffectState;
  readonly agent: string;
  readonly threadId: string;
  readonly tool: string;
  readonly effect: Effect;
  /** `canonicalHash` of the validated arguments. */
  readonly argsHash: string;
  readonly scopes: readonly string[];
  /** Node-clock time of the last transition. */
  readonly at: number;
  /** Who decided (`rule:<id>`, `person:<name>`, `capability`, `freeze`, `timeout`). */
  readonly decidedBy: string | undefined;
  /** The nonce of the approval the call consumed. */
  readonly approval: string | undefined;
  /** Why it was denied or failed. */
  readonly reason: string | undefined;
  /** The output `run` returned (as the model saw it), once `done`. */
  readonly result: unknown;
}

export type NewEffect = Omit<
  EffectEntry,
  'version' | 'state' | 'decidedBy' | 'approval' | 'reason' | 'result'
>;

/** What a transition sets: the state and its time, and what it adds (undefined: unchanged). */
export interface EffectChange {
  readonly state: EffectState;
  readonly at: number;
  readonly decidedBy?: string | undefined;
  readonly approval?: string | undefined;
  readonly reason?: string | undefined;
  readonly result?: unknown;
}

/**
 * The effect journal: one entry per tool call, each transition saved before the step it allows
 * (approved before executing, executing before `run`). Every method is async and every write is
 * compare-and-set on the entry's version, so a SQL store implements it with one conditional
 * UPDATE per transition, and two processes that both think they own a call cannot both run it.
 */
export interface EffectJournal {
  /** Writes a new entry in `intent`; `ERR_JOURNAL_CONFLICT` if the key is already there. */
  begin(entry: NewEffect): Promise<EffectEntry>;
  get(key: string): Promise<EffectEntry | undefined>;
  /**
   * Moves an entry on, if it is still at `expectedVersion` (else `ERR_JOURNAL_CONFLICT`) and the
   * lifecycle allows the step (else `ERR_INVALID_TRANSITION`). Resolves with the new entry.
   */
  advance(key: string, expectedVersion: number, change: EffectChange): Promise<EffectEntry>;
  /** The entries of one thread, in the order they began. */
  list(threadId: string): Promise<readonly EffectEntry[]>;
  /**
   * The entries of one thread for one call, a tool and its canonical arguments (`argsHash`), in
   * the order they began: what the gate reads when a call that may have an effect is made again
   * (`list` filtered, without reading the rest of the thread). Optional: a journal without it is
   * read through `list`.
   */
  listCall?(threadId: string, tool: string, argsHash: string): Promise<readonly EffectEntry[]>;
}

/** The in-memory journal: it survives restarts of the agent (it lives with the definition). */
export class MemoryEffectJournal implements EffectJournal {
  readonly #entries = new Map<string, EffectEntry>();
  readonly #threads = new Map<string, string[]>();
  readonly #calls = new CallIndex();

  async begin(entry: NewEffect): Promise<EffectEntry> {
    return this.beginNow(entry);
  }

  /**
   * `begin` without the promise, for the gate's path through the in-memory journal and log
   * (`gate-now.ts`): nothing here waits, so a call need not wait a microtask per transition.
   */
  beginNow(entry: NewEffect): EffectEntry {
    const written = this.beginNew(entry);
    if (written === undefined) {
      throw new GovernanceError('ERR_JOURNAL_CONFLICT', `journal entry ${entry.key} exists`);
    }
    return written;
  }

  /** `beginNow`, answering undefined (and writing nothing) when the key is there already. */
  beginNew(entry: NewEffect): EffectEntry | undefined {
    if (this.#entries.has(entry.key)) return undefined;
    const written = entryOf(
      entry,
      1,
      'intent',
      entry.at,
      undefined,
      undefined,
      undefined,
      undefined,
    );
    this.#entries.set(entry.key, written);
    const keys = this.#threads.get(entry.threadId);
    if (keys === undefined) this.#threads.set(entry.threadId, [entry.key]);
    else keys.push(entry.key);
    this.#calls.began(written);
    return written;
  }

  async get(key: string): Promise<EffectEntry | undefined> {
    return this.#entries.get(key);
  }

  async advance(key: string, expectedVersion: number, change: EffectChange): Promise<EffectEntry> {
    return this.advanceNow(key, expectedVersion, change);
  }

  /** `advance` without the promise (see `beginNow`). */
  advanceNow(key: string, expectedVersion: number, change: EffectChange): EffectEntry {
    return this.advanceWith(
      key,
      expectedVersion,
      change.state,
      change.at,
      change.decidedBy,
      change.approval,
      change.reason,
      change.result,
    );
  }

  /** `advanceNow` with the change given field by field (the gate's, which has none to build). */
  advanceWith(
    key: string,
    expectedVersion: number,
    state: EffectState,
    at: number,
    decidedBy: string | undefined,
    approval: string | undefined,
    reason: string | undefined,
    result: unknown,
  ): EffectEntry {
    const current = this.#entries.get(key);
    if (current === undefined || current.version !== expectedVersion) {
      throw new GovernanceError(
        'ERR_JOURNAL_CONFLICT',
        `journal entry ${key}: expected version ${expectedVersion}, found ${current?.version ?? 'none'}`,
      );
    }
    checkTransition(current.state, state, key);
    const next = entryOf(
      current,
      current.version + 1,
      state,
      at,
      decidedBy ?? current.decidedBy,
      approval ?? current.approval,
      reason ?? current.reason,
      result === undefined ? current.result : result,
    );
    this.#entries.set(key, next);
    return next;
  }

  async list(threadId: string): Promise<readonly EffectEntry[]> {
    return (this.#threads.get(threadId) ?? []).map((k) => this.#entries.get(k) as EffectEntry);
  }

  async listCall(
    threadId: string,
    tool: string,
    argsHash: string,
  ): Promise<readonly EffectEntry[]> {
    return this.listCallNow(threadId, tool, argsHash);
  }

  /** `listCall` without the promise (see `beginNow`). */
  listCallNow(threadId: string, tool: string, argsHash: string): readonly EffectEntry[] {
    const entryOf = (key: string) => this.#entries.get(key) as EffectEntry;
    const keys = this.#calls.keysOf(
      threadId,
      tool,
      argsHash,
      () => this.#threads.get(threadId) ?? [],
      entryOf,
    );
    return keys.map(entryOf);
  }
}

/** One shape for every entry (fields in one order), frozen: cheap to make, safe to hand out. */
function entryOf(
  base: NewEffect,
  version: number,
  state: EffectState,
  at: number,
  decidedBy: string | undefined,
  approval: string | undefined,
  reason: string | undefined,
  result: unknown,
): EffectEntry {
  return Object.freeze({
    key: base.key,
    version,
    state,
    agent: base.agent,
    threadId: base.threadId,
    tool: base.tool,
    effect: base.effect,
    argsHash: base.argsHash,
    scopes: base.scopes,
    at,
    decidedBy,
    approval,
    reason,
    result,
  });
}

/** Throws `ERR_INVALID_TRANSITION` for a step the effect lifecycle does not have. */
export function checkTransition(from: EffectState, to: EffectState, key = ''): void {
  if (!EFFECT_TRANSITIONS[from].includes(to)) {
    throw new GovernanceError(
      'ERR_INVALID_TRANSITION',
      `journal entry ${key}: no transition from ${from} to ${to}`,
    );
  }
}
