import type { EffectEntry } from './effect-journal.js';

/**
 * An in-memory journal's keys grouped by thread and call (tool and canonical arguments), for
 * `EffectJournal.listCall`: finding the earlier runs of one call reads that call's entries, not
 * the thread's whole list. A thread's groups are made from its keys the first time one of its
 * calls is asked for, and kept up to date from then on; a thread whose calls are never asked for
 * (only reads and idempotent tools, which never ask) costs nothing.
 */
export class CallIndex {
  readonly #threads = new Map<string, Map<string, string[]>>();

  /**
   * The keys of `threadId`'s entries for `tool` and `argsHash`, in the order they began.
   * `keys` are the thread's keys in that order and `entryOf` reads an entry, for a first call.
   */
  keysOf(
    threadId: string,
    tool: string,
    argsHash: string,
    keys: () => readonly string[],
    entryOf: (key: string) => EffectEntry,
  ): readonly string[] {
    let groups = this.#threads.get(threadId);
    if (groups === undefined) {
      groups = new Map();
      for (const key of keys()) {
        const entry = entryOf(key);
        add(groups, groupOf(entry.tool, entry.argsHash), key);
      }
      this.#threads.set(threadId, groups);
    }
    return groups.get(groupOf(tool, argsHash)) ?? [];
  }

  /** An entry began: its key joins its group if its thread is indexed. */
  began(entry: {
    readonly threadId: string;
    readonly tool: string;
    readonly argsHash: string;
    readonly key: string;
  }): void {
    const groups = this.#threads.get(entry.threadId);
    if (groups !== undefined) add(groups, groupOf(entry.tool, entry.argsHash), entry.key);
  }

  /** The thread's entries changed other than by beginning (pruning): its groups are made again. */
  forget(threadId: string): void {
    this.#threads.delete(threadId);
  }
}

/** Tool names have no NUL (`defineTool` allows `[A-Za-z0-9_-]`), so the pair is unambiguous. */
function groupOf(tool: string, argsHash: string): string {
  return `${tool}\u0000${argsHash}`;
}

function add(groups: Map<string, string[]>, group: string, key: string): void {
  const keys = groups.get(group);
  if (keys === undefined) groups.set(group, [key]);
  else keys.push(key);
}
