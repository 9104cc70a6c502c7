import type { EffectEntry } from '@warden/agents';
import type { Queryable } from './database.js';
import { decodeRow } from './row-codec.js';
import { keyFromText, lookupText } from './row-key.js';

const BATCH = 500;

/** The journal row's key for its checksum: the table and the entry's key. */
export const journalRowKey = (key: string): string => JSON.stringify(['journal', key]);

/**
 * The call columns of a journal row: the entry's tool and arguments' hash as key texts (see
 * `row-key.ts`), or nulls for an entry that has no text for either.
 */
export function callColumns(entry: {
  readonly tool: unknown;
  readonly argsHash: unknown;
}): readonly [string | null, string | null] {
  const tool = lookupText(entry.tool);
  const argsHash = lookupText(entry.argsHash);
  return tool === undefined || argsHash === undefined ? [null, null] : [tool, argsHash];
}

/**
 * Fills the call columns of the journal rows written before they existed, a batch of rows at a
 * time in key order, from each row's body checked on its checksum. A row that fails it is left
 * with nulls: the migration goes on, and every read of that row's thread reports it.
 */
export async function journalCallColumns(tx: Queryable, s: string): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const { rows } = await tx.run<{ key: string; body: string; checksum: string }>(
      `SELECT key, body, checksum FROM ${s}.journal WHERE $1::text IS NULL OR key > $1
       ORDER BY key LIMIT ${BATCH}`,
      [after],
    );
    if (rows.length === 0) return;
    const keys: string[] = [];
    const tools: (string | null)[] = [];
    const hashes: (string | null)[] = [];
    for (const row of rows) {
      let entry: EffectEntry | undefined;
      try {
        entry = decodeRow(journalRowKey(keyFromText(row.key)), row.body, row.checksum) as
          | EffectEntry
          | undefined;
      } catch {
        entry = undefined;
      }
      const [tool, argsHash] =
        typeof entry === 'object' && entry !== null ? callColumns(entry) : [null, null];
      keys.push(row.key);
      tools.push(tool);
      hashes.push(argsHash);
    }
    await tx.run(
      `UPDATE ${s}.journal AS j SET tool = c.tool, args_hash = c.args_hash
       FROM unnest($1::text[], $2::text[], $3::text[]) AS c (key, tool, args_hash)
       WHERE j.key = c.key`,
      [keys, tools, hashes],
    );
    after = rows[rows.length - 1]?.key as string;
  }
}
