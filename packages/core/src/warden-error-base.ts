import type { ExitReason } from './exit-reason.js';

/**
 * The `_tag` of every error class in warden, one per package: the brand `isWardenError` checks.
 * A closed table, like the codes: a new package adds its class's tag here. A tag (not
 * `instanceof`, not a symbol) because it survives a realm, `structuredClone` and the wire, where
 * an error travels as `{ _tag, code, message }` data.
 */
export const WARDEN_ERROR_TAGS = [
  'WardenError',
  'ResilienceError',
  'MachinesError',
  'WsTransportError',
  'ModelCallError',
  'AgentError',
  'ToolError',
  'GovernanceError',
  'TestkitError',
  'StoreError',
] as const;

export type WardenErrorTag = (typeof WARDEN_ERROR_TAGS)[number];

const TAGS: ReadonlySet<string> = new Set(WARDEN_ERROR_TAGS);

/** What every warden error is, as an instance or as data after it crossed the wire. */
export interface WardenErrorLike<C extends string = string> {
  readonly _tag: WardenErrorTag;
  /** Stable, from the package's closed code table. */
  readonly code: C;
  readonly message: string;
  /** For `ERR_INVALID_*`: the offending field (absent when not known, or lost on the wire). */
  readonly field?: string | undefined;
  /** For core's `ERR_EXIT` and `ERR_START_FAILED`: the exit reason of the process concerned. */
  readonly reason?: ExitReason | undefined;
}

/** The wire shape every warden error keeps at least. */
export interface WardenErrorWire {
  readonly _tag: WardenErrorTag;
  readonly code: string;
  readonly message: string;
}

/**
 * The base of every package's error class (`WardenError`, `ResilienceError`, `MachinesError`,
 * `WsTransportError`, `ModelCallError`). Each keeps its own class, code table and `isXError`
 * guard; the base gives them one brand, so `isWardenError` recognises all of them, and one
 * wire shape, so that recognition survives a trip across nodes.
 */
export abstract class WardenErrorBase extends Error {
  abstract readonly _tag: WardenErrorTag;
  abstract readonly code: string;

  /** `{ _tag, code, message }`; a package adds its own fields. */
  toJSON(): WardenErrorWire {
    return { _tag: this._tag, code: this.code, message: this.message };
  }
}

/**
 * True for an error of any warden package (optionally with that `code`), as an instance or as
 * `{ _tag, code, message }` data after it crossed a realm or the wire. A package's own guard
 * (`isResilienceError`, ...) narrows further; with a code, the code alone decides, so
 * `isWardenError(e, 'ERR_ABORTED')` holds for the core's abort and resilience's alike.
 */
export function isWardenError<C extends string = string>(
  value: unknown,
  code?: C,
): value is WardenErrorLike<C> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { _tag?: unknown; code?: unknown; message?: unknown };
  return (
    typeof v._tag === 'string' &&
    TAGS.has(v._tag) &&
    typeof v.code === 'string' &&
    typeof v.message === 'string' &&
    (code === undefined || v.code === code)
  );
}
