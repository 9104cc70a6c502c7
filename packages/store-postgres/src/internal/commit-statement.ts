/** What varies between the statements a commit may need. */
export interface CommitShape {
  /** The run has no head yet: the head row is inserted, not moved. */
  readonly first: boolean;
  readonly fenced: boolean;
  /** The writer says the first messages are the head's: only the rest are written. */
  readonly keeps: boolean;
}

/**
 * The one statement that commits a checkpoint: it moves the run's head by compare-and-set (an
 * UPDATE on the expected head, or an INSERT that does nothing if the head exists), and writes the
 * checkpoint row and the new message rows only through the head row it moved, so a commit that
 * loses the race writes nothing at all. A fenced commit also needs the lease to carry its token,
 * read `FOR SHARE`: a takeover (which updates the lease row) waits for the commit to end, and a
 * commit that comes after it sees the new token. A commit that keeps the head's first messages
 * also checks that the head has them and that the last kept one is, as text, the one given.
 *
 * Parameters: $1 thread, $2 expected head, $3 version, $4 length, $5 finished, $6 time, $7 step,
 * $8 checkpoint body, $9 its checksum, $10..$12 the new messages (indexes, bodies, checksums),
 * then the fence (key, token) if fenced, then the kept count and the last kept body if it keeps.
 */
export function commitStatement(s: string, shape: CommitShape): string {
  let next = 13;
  const conditions: string[] = [];
  if (shape.fenced) {
    conditions.push(
      `EXISTS (SELECT 1 FROM ${s}.leases WHERE key = $${next}::text AND token = $${next + 1}::bigint AND owner IS NOT NULL FOR SHARE)`,
    );
    next += 2;
  }
  if (shape.keeps && !shape.first) {
    conditions.push(
      `length >= $${next}::int AND (SELECT body FROM ${s}.messages WHERE thread_id = $1 AND idx = $${next}::int - 1 AND version <= $2 ORDER BY version DESC LIMIT 1) = $${next + 1}::text`,
    );
  }
  const moved = shape.first
    ? `INSERT INTO ${s}.threads (thread_id, head, step, length, finished, committed_at)
       SELECT $1::text, $3::int, $7::int, $4::int, $5::boolean, $6::float8 WHERE $2::int = 0${conditions.map((c) => ` AND ${c}`).join('')}
       ON CONFLICT (thread_id) DO NOTHING
       RETURNING thread_id`
    : `UPDATE ${s}.threads SET head = $3::int, step = $7::int, length = $4::int, finished = $5::boolean, committed_at = $6::float8
       WHERE thread_id = $1::text AND head = $2::int${conditions.map((c) => ` AND ${c}`).join('')}
       RETURNING thread_id`;
  return `WITH moved AS (${moved}),
    checkpoint AS (
      INSERT INTO ${s}.checkpoints (thread_id, version, step, length, body, checksum)
      SELECT thread_id, $3::int, $7::int, $4::int, $8::text, $9::text FROM moved
    ),
    added AS (
      INSERT INTO ${s}.messages (thread_id, idx, version, body, checksum)
      SELECT moved.thread_id, m.idx, $3::int, m.body, m.checksum
      FROM moved, unnest($10::int[], $11::text[], $12::text[]) AS m(idx, body, checksum)
    )
    SELECT count(*)::int AS moved FROM moved`;
}
