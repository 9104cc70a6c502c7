import {
  type AgentStore,
  MemoryAuditLog,
  MemoryCheckpointStore,
  MemoryEffectJournal,
  MemoryMemoryStore,
} from '@warden/agents';

/** Where the cluster's durable state lives: one SQLite file, or one PostgreSQL database. */
export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/** What the cluster demo uses of a store: its agents' state, and closing it. */
export type ClusterStore = Pick<
  AgentStore,
  'checkpoints' | 'journal' | 'audit' | 'memory' | 'close'
>;

/** Opens the store every node of the cluster shares. */
export async function openClusterStore(location: StoreLocation): Promise<ClusterStore> {
  void location;
  // TEMPORARY until @warden/store-sqlite lands: per-process memory, so nothing is shared yet.
  return {
    checkpoints: new MemoryCheckpointStore(),
    journal: new MemoryEffectJournal(),
    audit: new MemoryAuditLog(),
    memory: new MemoryMemoryStore(),
    close: async () => undefined,
  };
}

/** What `defineAgent` takes of the shared store: where its agents keep their state. */
export function agentState(store: ClusterStore): ClusterAgentState {
  const { checkpoints, journal, audit, memory } = store;
  return { checkpoints, journal, audit, memory };
}

export type ClusterAgentState = Omit<ClusterStore, 'close'>;

export function describeStore(location: StoreLocation): string {
  return location.kind === 'sqlite'
    ? `one SQLite file shared by every node (${location.path})`
    : 'one PostgreSQL database shared by every node (WARDEN_PG_URL)';
}
