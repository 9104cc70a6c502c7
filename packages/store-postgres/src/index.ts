export { openPostgresStore } from './open-postgres-store.js';
export { PostgresAgentStore } from './postgres-agent-store.js';
export {
  POSTGRES_STORE_DEFAULTS,
  type PostgresStoreOptions,
  SCHEMA_NAME,
} from './postgres-store-options.js';
