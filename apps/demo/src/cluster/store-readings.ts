import type { AgentStore, EffectEntry } from '@warden/agents';

/** What the shared store holds of the workers' threads, read after the run. */
export interface StoreReadings {
  /** Journal entries (one per tool call, by idempotency key) per tool. */
  readonly journal: Readonly<Record<string, number>>;
  /** Every journal entry of the workers, by key: its tool, state and whether it was interrupted. */
  readonly entries: readonly {
    readonly key: string;
    readonly tool: string;
    readonly state: string;
    readonly interrupted: boolean;
  }[];
  /** Threads whose head checkpoint holds a finished result. */
  readonly finished: readonly string[];
  /** Threads with no finished head. */
  readonly unfinished: readonly string[];
}

/** The reason the gate records when it finds a call that was running when its agent died. */
const INTERRUPTED = 'interrupted while executing';

/** Reads the workers' journal entries and head checkpoints from the shared store. */
export async function readStore(
  store: AgentStore,
  threads: readonly string[],
): Promise<StoreReadings> {
  const journal: Record<string, number> = {};
  const entries: StoreReadings['entries'][number][] = [];
  const finished: string[] = [];
  const unfinished: string[] = [];
  for (const threadId of threads) {
    const listed: readonly EffectEntry[] = await store.journal.list(threadId);
    for (const e of listed) {
      journal[e.tool] = (journal[e.tool] ?? 0) + 1;
      entries.push({
        key: e.key,
        tool: e.tool,
        state: e.state,
        interrupted: e.reason === INTERRUPTED,
      });
    }
    const head = await store.checkpoints.latest(threadId);
    (head?.result?.outcome === 'done' ? finished : unfinished).push(threadId);
  }
  return { journal, entries, finished, unfinished };
}
