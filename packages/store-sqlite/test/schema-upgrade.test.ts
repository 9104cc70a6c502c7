// A database written at an older schema version upgrades in place when it is opened: every
// checkpoint it held reads back as it was committed, its rows stay as they were, and its threads
// go on committing under the new layout.
import type { BudgetSpent, Checkpoint, Message } from '@warden/agents';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteStore, SCHEMA_VERSION } from '../src/index.js';
import { migrate } from '../src/migrate.js';
import { MIGRATIONS } from '../src/schema.js';
import { SCHEMA_1_ROWS } from './schema-1-rows.js';
import { SCHEMA_2_ROWS } from './schema-2-rows.js';
import { SCHEMA_3_ROWS } from './schema-3-rows.js';
import { SCHEMA_4_ROWS } from './schema-4-rows.js';
import { tempFolder } from './temp-db.js';

let folder: ReturnType<typeof tempFolder>;
beforeEach(() => {
  folder = tempFolder();
});
afterEach(() => folder.remove());

// The commits the rows of `schema-1-rows.ts` were written from, made again.
const say = (role: Message['role'], text: string): Message => ({
  role,
  content: [{ type: 'text', text }],
});
const spent = (s: number): BudgetSpent => ({
  steps: s,
  inputTokens: 100 * s,
  outputTokens: 10 * s,
  costUsd: s / 100,
  wallMs: 5 * s,
  toolCalls: s,
  subagents: 0,
  unpriced: [],
});
const TASK = 'Reconcile the refunds of last week.';
const cp = (
  threadId: string,
  version: number,
  messages: readonly Message[],
  extra: Partial<Checkpoint> = {},
): Checkpoint => ({
  threadId,
  version,
  agent: 'clerk',
  task: TASK,
  step: version,
  state: 'planning',
  messages,
  spent: spent(version),
  ...extra,
});
const call = (n: number): Message => ({
  role: 'assistant',
  content: [
    { type: 'text', text: `looking up order ${n}` },
    { type: 'tool-call', callId: `c${n}`, name: 'lookup', input: { order: n } },
  ],
});
const result = (n: number): Message => ({
  role: 'tool',
  content: [
    {
      type: 'tool-result',
      callId: `c${n}`,
      name: 'lookup',
      output: { order: n, refunded: n % 2 === 0 },
    },
  ],
});
const task = say('user', TASK);
const summary = say('user', 'summary: order 1 was refunded');
const parcels = { agent: 'counter', task: 'Count the parcels.' };
const COMMITTED: readonly Checkpoint[] = [
  cp('t', 1, [task]),
  cp('t', 2, [task, call(1)], { state: 'acting' }),
  cp('t', 3, [task, call(1), result(1)]),
  cp('t', 4, [task, summary]),
  cp('t', 5, [task, summary, call(2)], {
    state: 'acting',
    task: 'Reconcile the refunds of last week, and report.',
  }),
  cp('t', 6, [task, summary, call(2), result(2), say('assistant', 'Done: 2 refunds.')], {
    state: 'done',
    result: { threadId: 't', outcome: 'done', text: 'Done: 2 refunds.', steps: 6, spent: spent(6) },
  }),
  cp('u', 1, [say('user', 'Count the parcels.')], parcels),
  cp('u', 2, [say('user', 'Count the parcels.'), say('assistant', 'Three.')], parcels),
];

/** A file at schema version 1 holding the rows the schema-1 store wrote for `COMMITTED`. */
function schema1File(name: string): string {
  const path = folder.file(name);
  const db = new Database(path);
  try {
    expect(migrate(db, MIGRATIONS.slice(0, 1))).toBe(1);
    const checkpoint = db.prepare(`INSERT INTO checkpoints
      (thread, version, step, length, finished, at, body, bytes, sum)
      VALUES (@thread, @version, @step, @length, @finished, @at, @body, @bytes, @sum)`);
    const message = db.prepare(`INSERT INTO messages (thread, idx, version, body, bytes, sum)
      VALUES (@thread, @idx, @version, @body, @bytes, @sum)`);
    db.transaction(() => {
      for (const row of SCHEMA_1_ROWS.checkpoints) checkpoint.run(row);
      for (const row of SCHEMA_1_ROWS.messages) message.run(row);
    })();
  } finally {
    db.close();
  }
  return path;
}

/** A file at schema version `version` holding the rows that version's store wrote for `COMMITTED`. */
const OLDER_ROWS = { 2: SCHEMA_2_ROWS, 3: SCHEMA_3_ROWS, 4: SCHEMA_4_ROWS } as const;

function olderFile(name: string, version: 2 | 3 | 4): string {
  const rows = OLDER_ROWS[version];
  const path = folder.file(name);
  const db = new Database(path);
  try {
    expect(migrate(db, MIGRATIONS.slice(0, version))).toBe(version);
    const insert = (table: string, row: object) => {
      const columns = Object.keys(row);
      db.prepare(
        `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `@${c}`).join(', ')})`,
      ).run(row);
    };
    db.transaction(() => {
      for (const row of rows.checkpoints) insert('checkpoints', row);
      for (const row of rows.messages) insert('messages', row);
      for (const row of rows.threads) insert('threads', row);
    })();
  } finally {
    db.close();
  }
  return path;
}

function rowsOf(path: string, sql: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

const CHECKPOINT_ROWS =
  'SELECT thread, version, step, length, finished, at, body, bytes, sum FROM checkpoints ORDER BY thread, version';
const MESSAGE_ROWS = 'SELECT * FROM messages ORDER BY thread, idx, version';

describe('openSqliteStore on a database of schema version 1', () => {
  it('upgrades it in place to the current version and reads every checkpoint as committed', async () => {
    const path = schema1File('v1.db');
    const store = await openSqliteStore({ path });
    expect(rowsOf(path, "SELECT value FROM meta WHERE key = 'schema_version'")).toEqual([
      { value: String(SCHEMA_VERSION) },
    ]);
    for (const committed of COMMITTED) {
      expect(await store.checkpoints.at(committed.threadId, committed.version)).toEqual(committed);
    }
    expect(await store.checkpoints.latest('t')).toEqual(COMMITTED[5]);
    expect(await store.checkpoints.latest('u')).toEqual(COMMITTED[7]);
    await store.close();
    // Reading changed nothing: the rows are the ones the old store wrote.
    expect(rowsOf(path, CHECKPOINT_ROWS)).toEqual(SCHEMA_1_ROWS.checkpoints);
    expect(rowsOf(path, MESSAGE_ROWS)).toEqual(SCHEMA_1_ROWS.messages);
  });

  it('goes on committing an upgraded thread, keeping its task once from then on', async () => {
    const path = schema1File('v1-next.db');
    const store = await openSqliteStore({ path });
    const before = (await store.usage('u')).bytes;
    const head = COMMITTED[7] as Checkpoint;
    const next = cp('u', 3, [...head.messages, say('user', 'And the letters?')], parcels);
    const last = cp('u', 4, [...next.messages, say('assistant', 'Two.')], parcels);
    await store.checkpoints.commit(next, { expectedHead: 2, unchangedBefore: 2 });
    await store.checkpoints.commit(last, { expectedHead: 3, unchangedBefore: 3 });
    expect(await store.checkpoints.latest('u')).toEqual(last);
    for (const committed of [...COMMITTED.slice(6), next, last]) {
      expect(await store.checkpoints.at('u', committed.version)).toEqual(committed);
    }
    expect((await store.usage('u')).checkpoints).toBe(4);
    expect((await store.usage('u')).bytes).toBeGreaterThan(before);
    await store.close();
    expect(rowsOf(path, "SELECT thread, agent, task FROM threads WHERE thread = 'u'")).toEqual([
      { thread: 'u', ...parcels },
    ]);
    const bodies = rowsOf(path, "SELECT body FROM checkpoints WHERE thread = 'u' AND version > 2");
    for (const { body } of bodies as { body: string }[]) {
      expect(body).not.toContain(parcels.task);
      expect(body).not.toContain(parcels.agent);
    }
    // Each new row carries only the message its commit added; the old rows are as they were.
    const added =
      "SELECT version, first, messages FROM checkpoints WHERE thread = 'u' AND version > 2";
    expect(rowsOf(path, added)).toEqual([
      { version: 3, first: 2, messages: JSON.stringify(next.messages[2]) },
      { version: 4, first: 3, messages: JSON.stringify(last.messages[3]) },
    ]);
    expect(rowsOf(path, "SELECT * FROM messages WHERE thread = 'u'")).toEqual(
      SCHEMA_1_ROWS.messages.filter((m) => m.thread === 'u'),
    );
    const old = CHECKPOINT_ROWS.replace('ORDER BY', "WHERE thread = 'u' AND version <= 2 ORDER BY");
    expect(rowsOf(path, old)).toEqual(SCHEMA_1_ROWS.checkpoints.filter((c) => c.thread === 'u'));
  });

  it('prunes across old rows and new ones, keeping every message the kept checkpoints read', async () => {
    const path = schema1File('v1-mixed.db');
    const store = await openSqliteStore({ path });
    const head = COMMITTED[7] as Checkpoint;
    const next = cp('u', 3, [...head.messages, say('user', 'And the letters?')], parcels);
    const last = cp('u', 4, [...next.messages, say('assistant', 'Two.')], parcels);
    await store.checkpoints.commit(next, { expectedHead: 2, unchangedBefore: 2 });
    await store.checkpoints.commit(last, { expectedHead: 3, unchangedBefore: 3 });
    // Keeping an old row and the new ones above it removes only what is below it.
    expect(await store.prune('u', { keepLast: 3, now: 0 })).toEqual({
      checkpoints: 1,
      messages: 0,
      journalEntries: 0,
      threads: 0,
    });
    for (const committed of [head, next, last]) {
      expect(await store.checkpoints.at('u', committed.version)).toEqual(committed);
    }
    // Keeping the head alone: the message version 3 carried moves into `messages`.
    expect(await store.prune('u', { keepLast: 1, now: 0 })).toEqual({
      checkpoints: 2,
      messages: 0,
      journalEntries: 0,
      threads: 0,
    });
    expect(await store.checkpoints.latest('u')).toEqual(last);
    await store.close();
    const moved = "SELECT idx, version FROM messages WHERE thread = 'u' ORDER BY idx";
    expect(rowsOf(path, moved)).toEqual([
      { idx: 0, version: 1 },
      { idx: 1, version: 2 },
      { idx: 2, version: 3 },
    ]);
  });

  it('prunes an upgraded thread to its newest checkpoints, which still read as committed', async () => {
    const path = schema1File('v1-prune.db');
    const store = await openSqliteStore({ path });
    const report = await store.prune('t', { keepLast: 2, now: 0 });
    expect(report.checkpoints).toBe(4);
    expect(await store.checkpoints.at('t', 4)).toBeUndefined();
    expect(await store.checkpoints.at('t', 5)).toEqual(COMMITTED[4]);
    expect(await store.checkpoints.latest('t')).toEqual(COMMITTED[5]);
    await store.close();
  });
});

for (const version of [2, 3, 4] as const) {
  describe(`openSqliteStore on a database of schema version ${version}`, () => {
    it('upgrades it in place, reads every checkpoint as committed, and goes on committing', async () => {
      const path = olderFile(`v${version}.db`, version);
      const store = await openSqliteStore({ path });
      for (const committed of COMMITTED) {
        expect(await store.checkpoints.at(committed.threadId, committed.version)).toEqual(
          committed,
        );
      }
      const head = COMMITTED[5] as Checkpoint;
      const next = cp('t', 7, [...head.messages, say('user', 'Thanks.')], {
        task: 'Reconcile the refunds of last week, and report.',
      });
      const last = cp('t', 8, [...next.messages, say('assistant', 'You are welcome.')]);
      await store.checkpoints.commit(next, { expectedHead: 6, unchangedBefore: 5 });
      await store.checkpoints.commit(last, { expectedHead: 7, unchangedBefore: 6 });
      for (const committed of [...COMMITTED.slice(0, 6), next, last]) {
        expect(await store.checkpoints.at('t', committed.version)).toEqual(committed);
      }
      expect(await store.prune('t', { keepLast: 2, now: 0 })).toMatchObject({ checkpoints: 6 });
      expect(await store.checkpoints.at('t', 7)).toEqual(next);
      expect(await store.checkpoints.latest('t')).toEqual(last);
      expect(await store.checkpoints.latest('u')).toEqual(COMMITTED[7]);
      await store.close();
      expect(rowsOf(path, "SELECT value FROM meta WHERE key = 'schema_version'")).toEqual([
        { value: String(SCHEMA_VERSION) },
      ]);
      expect(rowsOf(path, 'SELECT * FROM threads ORDER BY thread')).toEqual(
        OLDER_ROWS[version].threads,
      );
    });
  });
}

it('reads a schema-3 row as it was written, and reports one changed since', async () => {
  const path = olderFile('v3-rows.db', 3);
  const store = await openSqliteStore({ path });
  expect(await store.checkpoints.latest('u')).toEqual(COMMITTED[7]);
  await store.close();
  const columns = 'thread, version, step, length, finished, at, body, bytes, sum, first, messages';
  expect(rowsOf(path, `SELECT ${columns} FROM checkpoints ORDER BY thread, version`)).toEqual(
    SCHEMA_3_ROWS.checkpoints,
  );
  const db = new Database(path);
  db.prepare("UPDATE checkpoints SET messages = replace(messages, 'parcels', 'letters')").run();
  db.close();
  const reopened = await openSqliteStore({ path });
  await expect(reopened.checkpoints.latest('u')).rejects.toMatchObject({
    code: 'ERR_STORE_CORRUPT',
    detail: { table: 'checkpoints', key: { thread: 'u', version: 1 } },
  });
  await reopened.close();
});
