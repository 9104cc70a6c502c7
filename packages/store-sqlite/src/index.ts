export { openSqliteStore } from './open-sqlite-store.js';
export { MIGRATIONS, type Migration, SCHEMA_VERSION } from './schema.js';
export { SqliteAgentStore } from './sqlite-agent-store.js';
export { SqliteApprovalStore } from './sqlite-approval-store.js';
export { SqliteAuditLog } from './sqlite-audit-log.js';
export { SqliteCheckpointStore } from './sqlite-checkpoint-store.js';
export { SqliteDeadLetterStore } from './sqlite-dead-letter-store.js';
export { SqliteEffectJournal } from './sqlite-effect-journal.js';
export { SqliteLeaseStore } from './sqlite-lease-store.js';
export { SqliteMemoryStore } from './sqlite-memory-store.js';
export { SqliteQueueStore } from './sqlite-queue-store.js';
export {
  SQLITE_STORE_DEFAULTS,
  type SqliteStoreOptions,
  type SyncMode,
} from './sqlite-store-options.js';
