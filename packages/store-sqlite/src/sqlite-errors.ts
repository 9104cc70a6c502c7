import { StoreError } from '@warden/agents';

/**
 * What a SQLite failure means to the store's caller: a lock not granted within the busy timeout,
 * a full disk or a file it cannot open is `ERR_STORE_UNAVAILABLE` (try again, or elsewhere); a
 * file SQLite finds malformed is `ERR_STORE_CORRUPT`; a value over SQLite's own length limit is
 * `ERR_RECORD_TOO_LARGE`. Anything else SQLite refuses is `ERR_STORE_UNAVAILABLE` with SQLite's
 * code in `detail`. Errors that are not SQLite's (the store's own refusals) pass unchanged.
 */
export function storeErrorOf(error: unknown): unknown {
  const code = sqliteCode(error);
  if (code === undefined) return error;
  const message = `SQLite: ${(error as Error).message}`;
  const detail = { sqlite: code };
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return new StoreError('ERR_STORE_CORRUPT', message, { detail, cause: error });
  }
  if (code === 'SQLITE_TOOBIG') {
    return new StoreError('ERR_RECORD_TOO_LARGE', message, { detail, cause: error });
  }
  return new StoreError('ERR_STORE_UNAVAILABLE', message, { detail, cause: error });
}

function sqliteCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}
