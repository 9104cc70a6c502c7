// The PostgreSQL store passes the conformance suite every AgentStore passes.
import { agentStoreConformance } from '@warden/agents/conformance';
import { afterAll, describe, it } from 'vitest';
import { type TestSchema, testSchema } from './test-database.js';

const schemas: TestSchema[] = [];
afterAll(async () => {
  for (const schema of schemas) await schema.drop();
});

describe('PostgresAgentStore: the AgentStore conformance suite', () => {
  for (const c of agentStoreConformance()) {
    it(c.name, () =>
      c.run(async () => {
        // Each store a case opens is fresh and empty: a schema of its own.
        const schema = testSchema('conformance');
        schemas.push(schema);
        return schema.open();
      }),
    );
  }
});
