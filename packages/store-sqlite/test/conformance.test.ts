// The SQLite store passes the conformance suite every store passes: on a memory database and on
// a file, each case on fresh ones.
import { agentStoreConformance } from '@warden/agents/conformance';
import { afterAll, describe, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';
import { tempFolder } from './temp-db.js';

describe('SqliteAgentStore on :memory:: the AgentStore conformance suite', () => {
  for (const c of agentStoreConformance()) {
    it(c.name, () => c.run(() => openSqliteStore({ path: ':memory:' })));
  }
});

describe('SqliteAgentStore on a file: the AgentStore conformance suite', () => {
  const folder = tempFolder();
  afterAll(() => folder.remove());
  let n = 0;
  for (const c of agentStoreConformance()) {
    it(c.name, () => c.run(() => openSqliteStore({ path: folder.file(`case-${n++}.db`) })));
  }
});
