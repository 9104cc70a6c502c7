import type { MemoryEntry, MemoryStore } from '@warden/agents';
import { checks } from '../postgres-store-options.js';
import type { Database } from './database.js';
import { corrupt, decodeRow, encodeRow } from './row-codec.js';
import { keyText, lookupText } from './row-key.js';

interface MemoryRow {
  readonly step: number;
  readonly body: string;
  readonly checksum: string;
}

const keyOf = (threadId: string, step: number): string =>
  JSON.stringify(['memory', threadId, step]);

/**
 * Compacted-away conversation, searchable by `recall`. The database narrows the thread's entries
 * to those whose text contains a word of the query (words are ASCII, the query being split on
 * non-word characters, so they are found in the JSON text as in the text itself); the ranking is
 * the in-memory store's, so every store answers a query alike.
 */
export class PostgresMemoryStore implements MemoryStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  async put(entries: readonly MemoryEntry[]): Promise<void> {
    if (!Array.isArray(entries)) throw checks.invalid('entries', entries, 'an array');
    if (entries.length === 0) return;
    const threads: string[] = [];
    const steps: number[] = [];
    const bodies: string[] = [];
    const sums: string[] = [];
    for (const entry of entries as readonly MemoryEntry[]) {
      checks.record('entry', entry);
      const threadId = entry.threadId;
      const thread = keyText('entry.threadId', threadId);
      const step = checks.int('entry.step', entry.step, 0);
      if (typeof entry.text !== 'string')
        throw checks.invalid('entry.text', entry.text, 'a string');
      const row = encodeRow(keyOf(threadId, step), entry.text, this.#db.maxRecordBytes);
      threads.push(thread);
      steps.push(step);
      bodies.push(row.body);
      sums.push(row.checksum);
    }
    await this.#db.run(
      `INSERT INTO ${this.#db.schema}.memory (thread_id, step, body, checksum)
       SELECT * FROM unnest($1::text[], $2::int[], $3::text[], $4::text[])`,
      [threads, steps, bodies, sums],
    );
  }

  async search(threadId: string, query: string, limit: number): Promise<readonly MemoryEntry[]> {
    if (typeof query !== 'string') throw checks.invalid('query', query, 'a string');
    checks.int('limit', limit, 0);
    const thread = lookupText(threadId);
    if (thread === undefined) return [];
    const phrase = query.toLowerCase().trim();
    const words = phrase.split(/\W+/).filter((w) => w.length > 0);
    const { rows } = await this.#db.run<MemoryRow>(
      `SELECT step, body, checksum FROM ${this.#db.schema}.memory
       WHERE thread_id = $1
         AND (cardinality($2::text[]) = 0
              OR EXISTS (SELECT 1 FROM unnest($2::text[]) AS w WHERE strpos(lower(body), w) > 0))
       ORDER BY position`,
      [thread, words],
    );
    const scored: [number, MemoryEntry][] = [];
    for (const row of rows) {
      const key = keyOf(threadId, row.step);
      const text = decodeRow(key, row.body, row.checksum);
      if (typeof text !== 'string') throw corrupt(key, 'it does not hold a text');
      const entry: MemoryEntry = Object.freeze({ threadId, step: row.step, text });
      const lower = text.toLowerCase();
      // The whole query outranks any number of its words.
      let score = phrase !== '' && lower.includes(phrase) ? words.length + 1 : 0;
      for (const word of words) if (lower.includes(word)) score++;
      if (score > 0 || words.length === 0) scored.push([score, entry]);
    }
    scored.sort((a, b) => b[0] - a[0] || a[1].step - b[1].step);
    return scored.slice(0, limit).map(([, entry]) => entry);
  }
}
