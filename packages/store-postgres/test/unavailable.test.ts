import { isStoreError } from '@warden/agents';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresStore, type PostgresAgentStore } from '../src/index.js';
import { checkpointOf, userMessage } from './checkpoint-fixtures.js';
import { startSilentServer, startTcpProxy } from './tcp-proxy.js';
import { databaseUrl, type TestSchema, testSchema } from './test-database.js';

let db: TestSchema;
let store: PostgresAgentStore;

beforeAll(async () => {
  db = testSchema('unavailable');
  store = await db.open();
});
afterAll(() => db?.drop());

const unavailable = (e: unknown) => isStoreError(e, 'ERR_STORE_UNAVAILABLE');

/** The test database's URL with another host, port or database. */
function urlWith(change: { port?: number; database?: string }): string {
  const url = new URL(databaseUrl());
  if (change.port !== undefined) url.port = String(change.port);
  if (change.database !== undefined) url.pathname = `/${change.database}`;
  return url.toString();
}

async function closedPort(): Promise<number> {
  const silent = await startSilentServer();
  await silent.close();
  return silent.port;
}

describe('a database that cannot be reached', () => {
  it('fails to open with ERR_STORE_UNAVAILABLE, keeping the driver’s error as the cause', async () => {
    const opening = openPostgresStore({
      connectionString: urlWith({ port: await closedPort() }),
      schema: db.name,
    });
    await expect(opening).rejects.toSatisfy(unavailable);
    await expect(opening).rejects.toMatchObject({ cause: { code: 'ECONNREFUSED' } });
  });

  it('fails to open a database that does not exist with ERR_STORE_UNAVAILABLE', async () => {
    const opening = openPostgresStore({
      connectionString: urlWith({ database: 'no_such_database' }),
      schema: db.name,
    });
    await expect(opening).rejects.toSatisfy(unavailable);
    await expect(opening).rejects.toMatchObject({ detail: { code: '3D000' } });
  });

  it('gives up on a server that never answers after connectTimeoutMs instead of hanging', async () => {
    const silent = await startSilentServer();
    try {
      const opening = openPostgresStore({
        connectionString: urlWith({ port: silent.port }),
        schema: db.name,
        connectTimeoutMs: 200,
      });
      await expect(opening).rejects.toSatisfy(unavailable);
    } finally {
      await silent.close();
    }
  });

  it('fails the calls of an open store whose server went away, and keeps what it committed before', async () => {
    const target = new URL(databaseUrl());
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const via = await openPostgresStore({
      connectionString: urlWith({ port: proxy.port }),
      schema: db.name,
      connectTimeoutMs: 500,
    });
    await via.checkpoints.commit(checkpointOf('t-cut', 1, [userMessage('before')]), {
      expectedHead: 0,
    });
    await proxy.cut();
    await expect(via.checkpoints.latest('t-cut')).rejects.toSatisfy(unavailable);
    await expect(
      via.checkpoints.commit(checkpointOf('t-cut', 2, []), { expectedHead: 1 }),
    ).rejects.toSatisfy(unavailable);
    await expect(
      via.audit.append(
        { kind: 'allowed', agent: 'a', threadId: 't', tool: 'x', key: 'k', argsHash: 'h' },
        0,
      ),
    ).rejects.toSatisfy(unavailable);
    await via.close();
    // What was committed before the cut is there for any other node.
    expect((await store.checkpoints.latest('t-cut'))?.messages).toEqual([userMessage('before')]);
  });

  it('ends a statement that waits on a lock after statementTimeoutMs with ERR_STORE_UNAVAILABLE', async () => {
    const impatient = await db.open({ statementTimeoutMs: 300 });
    const holder = new Client({ connectionString: databaseUrl() });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${db.name}".audit_head WHERE id = 1 FOR UPDATE`);
      const append = impatient.audit.append(
        { kind: 'allowed', agent: 'a', threadId: 't', tool: 'x', key: 'k', argsHash: 'h' },
        0,
      );
      await expect(append).rejects.toSatisfy(unavailable);
      await expect(append).rejects.toMatchObject({ detail: { code: '57014' } });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    // The connection it used went back to the pool sound.
    expect(await impatient.audit.entries()).toEqual([]);
  });
});

describe('a connection lost while the server is up', () => {
  it('is replaced: the store answers again at the latest on the second call', async () => {
    const target = new URL(databaseUrl());
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432));
    const via = await openPostgresStore({
      connectionString: urlWith({ port: proxy.port }),
      schema: db.name,
    });
    try {
      await via.checkpoints.commit(checkpointOf('t-drop', 1, [userMessage('a')]), {
        expectedHead: 0,
      });
      proxy.drop();
      const first = await via.checkpoints.latest('t-drop').then(
        (checkpoint) => checkpoint?.version,
        (e: unknown) => (unavailable(e) ? 'unavailable' : e),
      );
      expect([1, 'unavailable']).toContain(first);
      expect((await via.checkpoints.latest('t-drop'))?.version).toBe(1);
    } finally {
      await via.close();
      await proxy.cut();
    }
  });
});

describe('a closed store', () => {
  it('lets the calls in flight finish before it ends its pool, one of them waiting for a connection', async () => {
    const narrow = await db.open({ maxConnections: 1 });
    const holder = new Client({ connectionString: databaseUrl() });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(`SELECT 1 FROM "${db.name}".audit_head WHERE id = 1 FOR UPDATE`);
    // The append holds the one connection, waiting for the lock; the read waits for the connection.
    const append = narrow.audit.append(
      { kind: 'allowed', agent: 'a', threadId: 't', tool: 'x', key: 'k', argsHash: 'h' },
      0,
    );
    const read = narrow.checkpoints.latest('t-none');
    const closing = narrow.close();
    await expect(narrow.audit.entries()).rejects.toSatisfy((e) =>
      isStoreError(e, 'ERR_STORE_CLOSED'),
    );
    await holder.query('ROLLBACK');
    await holder.end();
    expect(await append).toMatchObject({ kind: 'allowed', key: 'k' });
    expect(await read).toBeUndefined();
    await closing;
  });

  it('refuses every call with ERR_STORE_CLOSED, and closes again without complaint', async () => {
    const closing = await db.open();
    await closing.close();
    await closing.close();
    const closed = (e: unknown) => isStoreError(e, 'ERR_STORE_CLOSED');
    await expect(closing.checkpoints.latest('t')).rejects.toSatisfy(closed);
    await expect(closing.leases.current('k')).rejects.toSatisfy(closed);
    await expect(closing.audit.entries()).rejects.toSatisfy(closed);
    await expect(closing.deadLetters('q').size()).rejects.toSatisfy(closed);
  });
});
