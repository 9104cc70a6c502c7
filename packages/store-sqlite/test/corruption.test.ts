// A damaged row is a typed error naming its table and key, and stays as it was: the store never
// repairs, overwrites or removes what it cannot read.
import { readFileSync, writeFileSync } from 'node:fs';
import { isStoreError, type Message, StoreError } from '@warden/agents';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../src/index.js';
import { tempFolder } from './temp-db.js';

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

function say(role: Message['role'], text: string): Message {
  return { role, content: [{ type: 'text', text }] };
}

function checkpoint(version: number, messages: readonly Message[]) {
  return {
    threadId: 't',
    version,
    agent: 'a',
    task: 'go',
    step: version,
    state: 'planning' as const,
    messages,
    spent: {
      steps: version,
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      wallMs: 0,
      toolCalls: 0,
      subagents: 0,
      unpriced: [],
    },
  };
}

async function failure(attempt: () => unknown): Promise<StoreError> {
  try {
    await attempt();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

/** Runs `edit` on the file through a connection of its own, as a person with a SQLite shell would. */
function raw<T>(path: string, edit: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return edit(db);
  } finally {
    db.close();
  }
}

describe('SqliteAgentStore: damaged rows', () => {
  it('reports a message changed in the checkpoint row that carries it, and leaves the row as it is', async () => {
    const path = folder.file('flip.db');
    const store = await openSqliteStore({ path });
    const messages = [say('user', 'task'), say('assistant', 'the answer is 42')];
    await store.checkpoints.commit(checkpoint(1, messages), { expectedHead: 0 });
    const damaged = raw(path, (db) => {
      db.prepare("UPDATE checkpoints SET messages = replace(messages, '42', '43')").run();
      return db.prepare('SELECT * FROM checkpoints').all();
    });
    const error = await failure(() => store.checkpoints.latest('t'));
    expect(error.code).toBe('ERR_STORE_CORRUPT');
    expect(error.detail).toEqual({ table: 'checkpoints', key: { thread: 't', version: 1 } });
    // A commit on a damaged head refuses, whatever it keeps: the head is checked before it is
    // compared and set.
    for (const unchangedBefore of [2, 0]) {
      const refused = await failure(() =>
        store.checkpoints.commit(checkpoint(2, [...messages, say('user', 'more')]), {
          expectedHead: 1,
          unchangedBefore,
        }),
      );
      expect(refused.code).toBe('ERR_STORE_CORRUPT');
    }
    await store.close();
    expect(raw(path, (db) => db.prepare('SELECT * FROM checkpoints').all())).toEqual(damaged);
  });

  it('reports a damaged row before the head, a missing one, and a damaged message moved by pruning', async () => {
    const path = folder.file('history.db');
    const store = await openSqliteStore({ path });
    const context = [say('user', 'task')];
    for (let version = 1; version <= 4; version++) {
      const unchangedBefore = context.length;
      if (version > 1) context.push(say('assistant', `answer ${version}`));
      await store.checkpoints.commit(checkpoint(version, [...context]), {
        expectedHead: version - 1,
        unchangedBefore: version === 1 ? 0 : unchangedBefore,
      });
    }
    // Version 2 carries message 1, which every later checkpoint reads.
    raw(path, (db) =>
      db.prepare("UPDATE checkpoints SET messages = 'x' || messages WHERE version = 2").run(),
    );
    const damaged = await failure(() => store.checkpoints.latest('t'));
    expect(damaged.detail).toEqual({ table: 'checkpoints', key: { thread: 't', version: 2 } });
    raw(path, (db) => db.prepare('DELETE FROM checkpoints WHERE version = 3').run());
    const missing = await failure(() => store.checkpoints.at('t', 4));
    expect(missing.code).toBe('ERR_STORE_CORRUPT');
    expect(missing.message).toMatch(/checkpoints row \{"thread":"t","version":3\} is missing/);
    await store.close();

    const other = folder.file('moved.db');
    const again = await openSqliteStore({ path: other });
    await again.checkpoints.commit(checkpoint(1, [say('user', 'task')]), { expectedHead: 0 });
    await again.checkpoints.commit(checkpoint(2, [say('user', 'task'), say('user', 'b')]), {
      expectedHead: 1,
      unchangedBefore: 1,
    });
    expect(await again.prune('t', { keepLast: 1, now: 0 })).toMatchObject({ checkpoints: 1 });
    const before = raw(other, (db) => {
      db.prepare("UPDATE messages SET body = replace(body, 'task', 'tusk')").run();
      return db.prepare('SELECT * FROM messages').all();
    });
    expect(before).toHaveLength(1);
    const moved = await failure(() => again.checkpoints.latest('t'));
    expect(moved.detail).toEqual({ table: 'messages', key: { thread: 't', idx: 0, version: 1 } });
    await again.close();
    expect(raw(other, (db) => db.prepare('SELECT * FROM messages').all())).toEqual(before);
  });

  it('checks each part of a row where it is used: a damaged field of an earlier checkpoint is reported by reading it', async () => {
    const path = folder.file('parts.db');
    const store = await openSqliteStore({ path });
    const one = checkpoint(1, [say('user', 'task')]);
    const two = checkpoint(2, [say('user', 'task'), say('assistant', 'done')]);
    await store.checkpoints.commit(one, { expectedHead: 0 });
    await store.checkpoints.commit(two, { expectedHead: 1, unchangedBefore: 1 });
    raw(path, (db) =>
      db
        .prepare(
          "UPDATE checkpoints SET body = replace(body, 'planning', 'acting') WHERE version = 1",
        )
        .run(),
    );
    // The head reads only the messages of version 1, which are intact.
    expect(await store.checkpoints.latest('t')).toEqual(two);
    const error = await failure(() => store.checkpoints.at('t', 1));
    expect(error.detail).toEqual({ table: 'checkpoints', key: { thread: 't', version: 1 } });
    // A commit reads the head's version and messages, not its fields: it goes on from a head
    // whose body is damaged, which reading that version still reports.
    raw(path, (db) =>
      db
        .prepare(
          "UPDATE checkpoints SET body = replace(body, 'planning', 'acting') WHERE version = 2",
        )
        .run(),
    );
    expect((await failure(() => store.checkpoints.latest('t'))).detail).toEqual({
      table: 'checkpoints',
      key: { thread: 't', version: 2 },
    });
    const three = checkpoint(3, [...two.messages, say('user', 'more')]);
    await store.checkpoints.commit(three, { expectedHead: 2, unchangedBefore: 2 });
    expect(await store.checkpoints.latest('t')).toEqual(three);
    expect((await failure(() => store.checkpoints.at('t', 2))).code).toBe('ERR_STORE_CORRUPT');
    await store.close();
  });

  it('reports a row whose checksum or message columns were set to null, whatever form it then takes', async () => {
    const nulls = [
      'messages_sum = NULL',
      'first = NULL, messages = NULL, messages_sum = NULL',
      'first = NULL',
      'messages = NULL, messages_sum = NULL',
    ];
    for (const [i, set] of nulls.entries()) {
      const path = folder.file(`null-${i}.db`);
      const store = await openSqliteStore({ path });
      await store.checkpoints.commit(checkpoint(1, [say('user', 'task')]), { expectedHead: 0 });
      const two = checkpoint(2, [say('user', 'task'), say('assistant', 'done')]);
      await store.checkpoints.commit(two, { expectedHead: 1, unchangedBefore: 1 });
      raw(path, (db) => db.prepare(`UPDATE checkpoints SET ${set} WHERE version = 1`).run());
      for (const read of [
        () => store.checkpoints.latest('t'),
        () => store.checkpoints.at('t', 1),
      ]) {
        const error = await failure(read);
        expect(error.code, set).toBe('ERR_STORE_CORRUPT');
        expect(error.detail, set).toEqual({
          table: 'checkpoints',
          key: { thread: 't', version: 1 },
        });
      }
      await store.close();
    }
  });

  it('reports a damaged or missing thread row, which holds the task of every checkpoint', async () => {
    const path = folder.file('thread.db');
    const store = await openSqliteStore({ path });
    await store.checkpoints.commit(checkpoint(1, [say('user', 'task')]), { expectedHead: 0 });
    const before = raw(path, (db) => {
      db.prepare("UPDATE threads SET task = 'gone'").run();
      return db.prepare('SELECT * FROM threads').all();
    });
    for (const attempt of [() => store.checkpoints.latest('t'), () => store.usage('t')]) {
      const error = await failure(attempt);
      expect(error.code).toBe('ERR_STORE_CORRUPT');
      expect(error.detail).toEqual({ table: 'threads', key: { thread: 't' } });
    }
    expect(raw(path, (db) => db.prepare('SELECT * FROM threads').all())).toEqual(before);
    raw(path, (db) => db.prepare('DELETE FROM threads').run());
    const missing = await failure(() => store.checkpoints.at('t', 1));
    expect(missing.code).toBe('ERR_STORE_CORRUPT');
    expect(missing.message).toMatch(/threads row \{"thread":"t"\} is missing/);
    await store.close();
  });

  it('reports a byte flipped in the file itself, and leaves the file as it is', async () => {
    const path = folder.file('bytes.db');
    const store = await openSqliteStore({ path });
    const marker = 'MARKER-a1b2c3d4e5f6-MARKER';
    await store.checkpoints.commit(checkpoint(1, [say('user', marker)]), { expectedHead: 0 });
    await store.close(); // the last connection folds the log back into the file
    const bytes = readFileSync(path);
    const at = bytes.indexOf(marker);
    expect(at).toBeGreaterThan(0);
    expect(bytes.indexOf(marker, at + 1)).toBe(-1);
    bytes[at + 7] = 'z'.charCodeAt(0); // 'a' -> 'z' inside the message text
    writeFileSync(path, bytes);
    const reopened = await openSqliteStore({ path });
    const error = await failure(() => reopened.checkpoints.latest('t'));
    expect(error.code).toBe('ERR_STORE_CORRUPT');
    expect(error.detail).toEqual({ table: 'checkpoints', key: { thread: 't', version: 1 } });
    await reopened.close();
    expect(readFileSync(path).equals(bytes)).toBe(true);
  });

  it('refuses to advance, or prune, a journal entry whose state was changed under it', async () => {
    const path = folder.file('journal.db');
    const store = await openSqliteStore({ path });
    await store.checkpoints.commit(checkpoint(1, [say('user', 'task')]), { expectedHead: 0 });
    await store.journal.begin({
      key: 'k',
      agent: 'a',
      threadId: 't',
      tool: 'send',
      effect: 'irreversible',
      argsHash: 'h',
      scopes: [],
      at: 1,
    });
    // Two steps on: the entry is one pruning looks at.
    await store.checkpoints.commit(checkpoint(2, [say('user', 'task')]), { expectedHead: 1 });
    await store.checkpoints.commit(checkpoint(3, [say('user', 'task')]), { expectedHead: 2 });
    const before = raw(path, (db) => {
      db.prepare("UPDATE journal SET state = 'done' WHERE key = 'k'").run();
      return db.prepare('SELECT * FROM journal').all();
    });
    for (const attempt of [
      () => store.journal.get('k'),
      () => store.journal.list('t'),
      () => store.journal.advance('k', 1, { state: 'approved', at: 2 }),
      () => store.prune('t', { keepLast: 1, now: 0 }),
    ]) {
      const error = await failure(attempt);
      expect(error.code).toBe('ERR_STORE_CORRUPT');
      expect(error.detail).toEqual({ table: 'journal', key: { key: 'k' } });
    }
    await store.close();
    expect(raw(path, (db) => db.prepare('SELECT * FROM journal').all())).toEqual(before);
  });

  it('refuses to overwrite a damaged dead letter or lease, and to commit under a damaged fence', async () => {
    const path = folder.file('rows.db');
    const store = await openSqliteStore({ path });
    const dlq = store.deadLetters('d');
    const letter = {
      id: 'x',
      traceId: 't',
      input: { amount: 10 },
      reason: 'r',
      code: undefined,
      attempts: 1,
      replays: 0,
      recordedAt: 0,
      history: [],
    };
    await dlq.put(letter);
    const granted = await store.leases.acquire('run:t', 'node-a', 1_000, 0);
    expect(granted.acquired).toBe(true);
    const before = raw(path, (db) => {
      db.prepare("UPDATE dead_letters SET body = replace(body, '10', '99')").run();
      db.prepare("UPDATE leases SET owner = 'node-b'").run();
      return [
        db.prepare('SELECT * FROM dead_letters').all(),
        db.prepare('SELECT * FROM leases').all(),
      ];
    });
    expect((await failure(() => dlq.put({ ...letter, replays: 1 }))).detail).toEqual({
      table: 'dead_letters',
      key: { queue: 'd', id: 'x' },
    });
    expect((await failure(() => dlq.list())).code).toBe('ERR_STORE_CORRUPT');
    expect(
      (await failure(() => store.leases.acquire('run:t', 'node-b', 1_000, 5_000))).detail,
    ).toEqual({
      table: 'leases',
      key: { key: 'run:t' },
    });
    const fenced = await failure(() =>
      store.checkpoints.commit(checkpoint(1, [say('user', 'task')]), {
        expectedHead: 0,
        fence: { key: 'run:t', token: 1 },
      }),
    );
    expect(fenced.code).toBe('ERR_STORE_CORRUPT');
    expect(await store.checkpoints.latest('t')).toBeUndefined();
    await store.close();
    expect(
      raw(path, (db) => [
        db.prepare('SELECT * FROM dead_letters').all(),
        db.prepare('SELECT * FROM leases').all(),
      ]),
    ).toEqual(before);
  });

  it('refuses a file that is not a database with ERR_STORE_CORRUPT, leaving it as it is', async () => {
    const path = folder.file('not-a-db.db');
    const junk = Buffer.from(
      'this is not a SQLite database, just text that fills a page. '.repeat(100),
    );
    writeFileSync(path, junk);
    const error = await failure(() => openSqliteStore({ path }));
    expect(isStoreError(error, 'ERR_STORE_CORRUPT')).toBe(true);
    expect(readFileSync(path).equals(junk)).toBe(true);
  });
});
