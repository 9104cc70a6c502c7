import type { Address, Node, Pid } from '@warden/core';
import { ResilienceError } from './errors.js';
import { Emitter, type Observed } from './events.js';
import { abortedError, raceAbort, throwIfAborted } from './internal/abort.js';
import {
  checkInt,
  checkName,
  checkOneOf,
  checkRecord,
  checkSignal,
  invalidOption,
} from './internal/check.js';
import { DownWatcher } from './internal/down-watcher.js';
import { KeyedChildren } from './internal/keyed-child.js';
import { createEntry, createFollowUp, type Entry } from './internal/spawn-entry.js';
import { checkStart, type SpawnStart } from './spawn-start.js';

/** What to do when a child with the same key is already running. */
export type ConflictPolicy = 'join' | 'reject' | 'queue' | 'replace';

export const CONFLICT_POLICIES: readonly ConflictPolicy[] = ['join', 'reject', 'queue', 'replace'];

export interface SpawnOnceGuardOptions extends Observed {
  /** The node the guard calls the supervisor from (and monitors children from). */
  readonly node: Node;
  readonly supervisor: Address;
  /** Default `join`. */
  readonly policy?: ConflictPolicy;
  /** The most children running at once per task type; past it, `ERR_CEILING_REACHED`. */
  readonly ceilings?: Readonly<Record<string, number>>;
  /** How often to look again at a static child the supervisor is restarting. Default 1000 ms. */
  readonly recheckMs?: number;
}

export interface SpawnOnceOptions {
  readonly policy?: ConflictPolicy;
  /** Counts against `ceilings[taskType]`. Default: the key. */
  readonly taskType?: string;
  /**
   * Stops waiting (`ERR_ABORTED`) for a start or replacement already in flight for this key.
   * A start this call began itself is not undone: the child runs and keeps the key.
   */
  readonly signal?: AbortSignal;
}

export type SpawnOnceResult =
  | { readonly outcome: 'started'; readonly pid: Pid }
  | { readonly outcome: 'joined'; readonly pid: Pid }
  | { readonly outcome: 'replaced'; readonly pid: Pid; readonly previous: Pid }
  /** `next` settles when the follow-up starts, after the running child is gone. */
  | { readonly outcome: 'queued'; readonly running: Pid; readonly next: Promise<SpawnOnceResult> };

/** Waits on busy entries at most this many times before treating the key as running. */
const MAX_ROUNDS = 16;
/** Looks at a restarting static child at most this many times. */
const MAX_RECHECKS = 60;

/**
 * Never spawn without checking: starts a child under a supervisor only if no child with the same
 * logical key runs, and otherwise applies the conflict policy: `join` returns the running one,
 * `reject` fails with `ERR_ALREADY_RUNNING`, `queue` keeps one follow-up to start when the running
 * one is gone (later duplicates join that follow-up), `replace` terminates the running one and
 * starts anew. A ceiling per task type bounds how many run at once (`ERR_CEILING_REACHED`).
 *
 * The guard learns that a child is gone through a monitor (never by polling), so a key is free
 * again exactly when its process has exited. Concurrent calls for one key never start two
 * children: the first call's start is in flight when the second looks, and the second waits for it.
 *
 * @example
 * const guard = new SpawnOnceGuard({ node, supervisor: agents, ceilings: { 'memory-sync': 1 } });
 * const { pid } = await guard.spawnOnce('memory-sync', { extra: { scope: 'all' } });
 */
export class SpawnOnceGuard {
  readonly policy: ConflictPolicy;
  readonly #children: KeyedChildren;
  readonly #ceilings: ReadonlyMap<string, number>;
  readonly #recheckMs: number;
  readonly #emitter: Emitter;
  readonly #entries = new Map<string, Entry>();
  readonly #watcher: DownWatcher;

  constructor(options: SpawnOnceGuardOptions) {
    if (typeof options?.node?.spawn !== 'function')
      throw invalidOption('node', options?.node, 'a Node');
    if (options.supervisor === undefined)
      throw invalidOption('supervisor', options.supervisor, 'a pid or name');
    this.#children = new KeyedChildren(options.node, options.supervisor);
    this.policy = checkOneOf('policy', options.policy ?? 'join', CONFLICT_POLICIES);
    const ceilings = new Map<string, number>();
    const given = options.ceilings === undefined ? {} : checkRecord('ceilings', options.ceilings);
    for (const [type, n] of Object.entries(given))
      ceilings.set(type, checkInt(`ceilings.${type}`, n, 1));
    this.#ceilings = ceilings;
    this.#recheckMs = checkInt('recheckMs', options.recheckMs ?? 1000, 1);
    this.#emitter = new Emitter(options, options.node.clock, 'spawn-once');
    this.#watcher = new DownWatcher(options.node, (pid) => this.#childDown(pid));
  }

  /** The pid running under `key`, if any. */
  running(key: string): Pid | undefined {
    return this.#entries.get(key)?.pid;
  }

  /** Children running or starting, for one task type or in all. */
  count(taskType?: string): number {
    let n = 0;
    for (const e of this.#entries.values())
      if (taskType === undefined || e.taskType === taskType) n++;
    return n;
  }

  async spawnOnce(
    key: string,
    start: SpawnStart,
    options: SpawnOnceOptions = {},
  ): Promise<SpawnOnceResult> {
    checkName('key', key);
    checkStart(start);
    checkRecord('options', options);
    const policy = checkOneOf('policy', options.policy ?? this.policy, CONFLICT_POLICIES);
    const taskType = options.taskType === undefined ? key : checkName('taskType', options.taskType);
    const signal = checkSignal('signal', options.signal);
    throwIfAborted(signal);
    for (let round = 0; ; round++) {
      const entry = this.#entries.get(key);
      if (entry === undefined) return this.#startNew(key, taskType, start);
      if (entry.busy !== undefined && round < MAX_ROUNDS) {
        const busy = entry.busy.catch(() => {});
        await (signal === undefined ? busy : raceAbort(busy, signal, () => abortedError(signal)));
        continue;
      }
      const running = entry.pid as Pid;
      switch (policy) {
        case 'join':
          this.#emitter.emit({ type: 'spawn.joined', key, pid: running });
          return { outcome: 'joined', pid: running };
        case 'reject':
          this.#emitter.emit({ type: 'spawn.rejected', key, taskType, reason: 'running' });
          throw new ResilienceError(
            'ERR_ALREADY_RUNNING',
            `${key} is already running as ${running}`,
          );
        case 'queue':
          return { outcome: 'queued', running, next: this.#queue(entry, start, taskType) };
        case 'replace':
          return this.#replace(entry, start);
      }
    }
  }

  /** Stops watching; queued follow-ups are rejected with `ERR_CLOSED`. Running children stay. */
  close(): void {
    this.#watcher.stop();
    for (const e of this.#entries.values()) {
      e.followUp?.reject(new ResilienceError('ERR_CLOSED', 'spawn-once guard closed'));
      e.followUp = undefined;
    }
  }

  #startNew(key: string, taskType: string, start: SpawnStart): Promise<SpawnOnceResult> {
    const ceiling = this.#ceilings.get(taskType);
    if (ceiling !== undefined && this.count(taskType) >= ceiling) {
      this.#emitter.emit({ type: 'spawn.rejected', key, taskType, reason: 'ceiling' });
      return Promise.reject(
        new ResilienceError(
          'ERR_CEILING_REACHED',
          `${taskType} already runs ${ceiling} of at most ${ceiling}`,
        ),
      );
    }
    // The entry goes in before the first await: a concurrent call for this key sees it.
    const entry = createEntry(key, taskType, start);
    this.#entries.set(key, entry);
    const started = this.#children.start(key, start).then(
      (pid) => {
        entry.busy = undefined;
        this.#adopt(entry, pid);
        this.#emitter.emit({ type: 'spawn.started', key, taskType, pid });
        return { outcome: 'started' as const, pid };
      },
      (error: unknown) => {
        this.#entries.delete(key);
        this.#emitter.emit({ type: 'spawn.rejected', key, taskType, reason: 'failed' });
        entry.followUp?.reject(error);
        throw error;
      },
    );
    entry.busy = started;
    return started;
  }

  #adopt(entry: Entry, pid: Pid): void {
    entry.pid = pid;
    this.#watcher.watch(pid);
  }

  #queue(entry: Entry, start: SpawnStart, taskType: string): Promise<SpawnOnceResult> {
    entry.followUp ??= createFollowUp(start, taskType);
    this.#emitter.emit({ type: 'spawn.queued', key: entry.key, running: entry.pid as Pid });
    return entry.followUp.promise;
  }

  #replace(entry: Entry, start: SpawnStart): Promise<SpawnOnceResult> {
    const previous = entry.pid as Pid;
    const work = (async (): Promise<SpawnOnceResult> => {
      this.#watcher.unwatch(previous); // its exit is ours: it must not end the entry
      this.#emitter.emit({ type: 'spawn.replaced', key: entry.key, previous });
      await this.#children.stop(entry.key, previous, entry.dynamic);
      const pid = await this.#children.start(entry.key, start);
      this.#adopt(entry, pid);
      return { outcome: 'replaced', pid, previous };
    })();
    entry.busy = work;
    return work.then(
      (result) => {
        entry.busy = undefined;
        return result;
      },
      (error: unknown) => {
        entry.busy = undefined;
        this.#end(entry);
        throw error;
      },
    );
  }

  #childDown(pid: Pid): void {
    const entry = [...this.#entries.values()].find(
      (e) => e.pid !== undefined && e.pid.key === pid.key,
    );
    if (entry === undefined) return;
    if (entry.dynamic) {
      this.#end(entry);
      return;
    }
    const check = this.#recheck(entry);
    entry.busy = check;
    check
      .finally(() => {
        if (entry.busy === check) entry.busy = undefined;
      })
      .catch(() => {});
  }

  /** A static child went down: restarted by its supervisor (keep the key) or gone (free it). */
  async #recheck(entry: Entry): Promise<void> {
    const pid = await this.#children.restarted(entry.key, this.#recheckMs, MAX_RECHECKS);
    if (pid === undefined) this.#end(entry);
    else this.#adopt(entry, pid);
  }

  /** The key is free: announce it and start the queued follow-up, if any. */
  #end(entry: Entry): void {
    if (this.#entries.get(entry.key) !== entry) return;
    this.#entries.delete(entry.key);
    if (entry.pid !== undefined) {
      this.#emitter.emit({ type: 'spawn.ended', key: entry.key, pid: entry.pid });
    }
    const next = entry.followUp;
    if (next !== undefined)
      this.#startNew(entry.key, next.taskType, next.start).then(next.resolve, next.reject);
  }
}
