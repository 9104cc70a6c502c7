/**
 * Exit reasons are data, never exceptions: OTP's atoms become strings, its tuples tagged objects.
 *
 * - `normal`: the process finished its work.
 * - `shutdown` / `{ tag: 'shutdown', detail }`: it was asked to stop (by its supervisor, or itself).
 * - `kill`: the untrappable reason given to `exit(pid, 'kill')`; the victim dies with `killed`.
 * - `noproc`: a link or monitor target did not exist.
 * - `noconnection`: the node hosting the other side was lost.
 * - `{ tag: 'error', ... }`: a crash; the thrown value is kept in `cause` on the local node only.
 */
export type ExitReason =
  | 'normal'
  | 'shutdown'
  | 'kill'
  | 'killed'
  | 'noproc'
  | 'noconnection'
  | ShutdownReason
  | ErrorReason;

export interface ShutdownReason {
  readonly tag: 'shutdown';
  readonly detail: unknown;
}

export interface ErrorReason {
  readonly tag: 'error';
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  /** The original thrown value. Local only: it does not cross the wire. */
  readonly cause?: unknown;
}

export function shutdownWith(detail: unknown): ShutdownReason {
  return { tag: 'shutdown', detail };
}

/** Wraps any thrown value as an exit reason, keeping the value itself as `cause`. */
export function errorReason(thrown: unknown): ErrorReason {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    return typeof code === 'string'
      ? { tag: 'error', name: thrown.name, message: thrown.message, code, cause: thrown }
      : { tag: 'error', name: thrown.name, message: thrown.message, cause: thrown };
  }
  return { tag: 'error', name: 'NonError', message: String(thrown), cause: thrown };
}

/** True for `shutdown` and `{ tag: 'shutdown' }`. */
export function isShutdown(reason: ExitReason): boolean {
  return reason === 'shutdown' || (typeof reason === 'object' && reason.tag === 'shutdown');
}

/**
 * OTP's rule: `normal`, `shutdown` and `{shutdown, _}` are the clean reasons; everything else is
 * abnormal (logged as an error, restarts a transient child).
 */
export function isAbnormal(reason: ExitReason): boolean {
  return reason !== 'normal' && !isShutdown(reason);
}

export function isExitReason(value: unknown): value is ExitReason {
  if (typeof value === 'string') {
    return (
      value === 'normal' ||
      value === 'shutdown' ||
      value === 'kill' ||
      value === 'killed' ||
      value === 'noproc' ||
      value === 'noconnection'
    );
  }
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { tag?: unknown; name?: unknown; message?: unknown };
  if (v.tag === 'shutdown') return 'detail' in v;
  return v.tag === 'error' && typeof v.name === 'string' && typeof v.message === 'string';
}

/** Structural equality that ignores the local-only `cause`. */
export function sameReason(a: ExitReason, b: ExitReason): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a.tag === 'shutdown' && b.tag === 'shutdown') return Object.is(a.detail, b.detail);
  if (a.tag === 'error' && b.tag === 'error') {
    return a.name === b.name && a.message === b.message && a.code === b.code;
  }
  return false;
}

export function formatReason(reason: ExitReason): string {
  if (typeof reason === 'string') return reason;
  if (reason.tag === 'shutdown') return `{shutdown, ${safeString(reason.detail)}}`;
  return `{error, ${reason.name}: ${reason.message}}`;
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
