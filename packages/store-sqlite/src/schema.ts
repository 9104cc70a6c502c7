/** One step of the schema: the statements that take a database from `version - 1` to `version`. */
export interface Migration {
  readonly version: number;
  readonly statements: readonly string[];
}

/**
 * The store's schema, as the ordered list of its migrations; a database records the last one it
 * applied in `meta`. A new version appends a migration here, never edits one already released.
 * Every row carries `sum`, its checksum, verified whenever the row is read.
 *
 * Checkpoints are stored as deltas: a commit writes only the messages its writer added or
 * changed, in its own checkpoint row, and checkpoint `v` reads, for each index below its
 * `length`, the newest copy written at or before `v`: in the rows from `v` back, or, for what
 * those rows do not hold, in `messages` (one row per message, keyed by the thread, its index in
 * the context and the version that wrote it), where pruning keeps the messages it must not lose.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    statements: [
      `CREATE TABLE checkpoints (
        thread TEXT NOT NULL, version INTEGER NOT NULL, step INTEGER NOT NULL,
        length INTEGER NOT NULL, finished INTEGER NOT NULL, at REAL NOT NULL,
        body TEXT NOT NULL, bytes INTEGER NOT NULL, sum TEXT NOT NULL,
        PRIMARY KEY (thread, version)) STRICT`,
      `CREATE TABLE messages (
        thread TEXT NOT NULL, idx INTEGER NOT NULL, version INTEGER NOT NULL,
        body TEXT NOT NULL, bytes INTEGER NOT NULL, sum TEXT NOT NULL,
        PRIMARY KEY (thread, idx, version)) STRICT`,
      `CREATE TABLE journal (
        seq INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, thread TEXT NOT NULL,
        version INTEGER NOT NULL, state TEXT NOT NULL, begun_step INTEGER NOT NULL,
        body TEXT NOT NULL, sum TEXT NOT NULL) STRICT`,
      'CREATE INDEX journal_by_thread ON journal (thread, seq)',
      `CREATE TABLE approvals (
        seq INTEGER PRIMARY KEY, nonce TEXT NOT NULL UNIQUE, binding TEXT NOT NULL,
        standing INTEGER NOT NULL, used INTEGER NOT NULL, body TEXT NOT NULL,
        sum TEXT NOT NULL) STRICT`,
      'CREATE INDEX approvals_standing ON approvals (binding, standing, used, seq)',
      'CREATE TABLE audit (seq INTEGER PRIMARY KEY, body TEXT NOT NULL, sum TEXT NOT NULL) STRICT',
      `CREATE TABLE memory (
        seq INTEGER PRIMARY KEY, thread TEXT NOT NULL, body TEXT NOT NULL,
        sum TEXT NOT NULL) STRICT`,
      'CREATE INDEX memory_by_thread ON memory (thread, seq)',
      `CREATE TABLE dead_letters (
        queue TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
        sum TEXT NOT NULL, PRIMARY KEY (queue, id)) STRICT`,
      'CREATE INDEX dead_letters_in_order ON dead_letters (queue, seq)',
      `CREATE TABLE queue_items (
        queue TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL,
        sum TEXT NOT NULL, PRIMARY KEY (queue, id)) STRICT`,
      'CREATE INDEX queue_items_in_order ON queue_items (queue, seq)',
      `CREATE TABLE leases (
        key TEXT PRIMARY KEY, owner TEXT NOT NULL, token INTEGER NOT NULL,
        expires_at REAL NOT NULL, released INTEGER NOT NULL, data TEXT,
        sum TEXT NOT NULL) STRICT`,
    ],
  },
  {
    // A thread's agent and task are kept once, in `threads`, instead of in every checkpoint row;
    // a checkpoint row repeats them only where they differ from its thread's. Rows written
    // before keep their full body and checksum and read as they did; a thread gets its
    // `threads` row at its next commit.
    version: 2,
    statements: [
      `CREATE TABLE threads (
        thread TEXT NOT NULL PRIMARY KEY, agent TEXT NOT NULL, task TEXT NOT NULL,
        bytes INTEGER NOT NULL, sum TEXT NOT NULL) STRICT, WITHOUT ROWID`,
    ],
  },
  {
    // A checkpoint row carries the messages its commit wrote (`first`: the index of the first
    // of them; `messages`: their JSON, one a line), so a commit inserts one row into one table
    // and one index instead of two of each: about half the pages a commit writes to the log.
    // Pruning moves the messages kept checkpoints still read out of the rows it removes, into
    // `messages`. Rows written before have both columns null and keep their messages there.
    version: 3,
    statements: [
      'ALTER TABLE checkpoints ADD COLUMN first INTEGER',
      'ALTER TABLE checkpoints ADD COLUMN messages TEXT',
    ],
  },
  {
    // A row that carries messages is summed in two parts, its fields (`sum`) and its messages
    // (`messages_sum`), each checked where it is used: reading a checkpoint walks back through
    // the rows before it for their messages alone, and reads and hashes only those columns.
    // Rows written before keep their one checksum over every column.
    version: 4,
    statements: ['ALTER TABLE checkpoints ADD COLUMN messages_sum TEXT'],
  },
  {
    // A row that carries messages names the version whose row holds the message just before its
    // `first` (`kept_from`; 0 when it kept none): reading a checkpoint goes from row to row along
    // these, through the rows that hold one of its messages only, instead of through every row
    // back to the one that wrote its oldest message. Rows written before have it null and are
    // walked one version at a time, as they were.
    version: 5,
    statements: ['ALTER TABLE checkpoints ADD COLUMN kept_from INTEGER'],
  },
  {
    // A journal row names its call (`tool`, `args_hash`: the tool and the hash of its canonical
    // arguments, as its body holds them) under an index, so that finding the earlier runs of one
    // call reads that call's rows instead of the thread's whole journal. Rows written before get
    // them from their body; a row whose body is not an entry's JSON keeps them null and is read,
    // and reported, with every call of its thread. The checksum stays over the body: the columns
    // only find rows, and what is read is the body.
    version: 6,
    statements: [
      'ALTER TABLE journal ADD COLUMN tool TEXT',
      'ALTER TABLE journal ADD COLUMN args_hash TEXT',
      `UPDATE journal SET
        tool = CASE WHEN json_valid(body) THEN
          CASE WHEN json_type(body, '$.tool') = 'text' AND json_type(body, '$.argsHash') = 'text'
          THEN json_extract(body, '$.tool') END END,
        args_hash = CASE WHEN json_valid(body) THEN
          CASE WHEN json_type(body, '$.tool') = 'text' AND json_type(body, '$.argsHash') = 'text'
          THEN json_extract(body, '$.argsHash') END END`,
      'CREATE INDEX journal_by_call ON journal (thread, tool, args_hash)',
    ],
  },
];

export const SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
