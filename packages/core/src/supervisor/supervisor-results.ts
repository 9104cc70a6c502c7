import type { ExitReason } from '../exit-reason.js';
import type { Pid } from '../pid.js';
import type { ChildType, NormalizedChildSpec } from './child-spec.js';

/** OTP's `{ok, Pid}` / `{ok, Pid, Info}` / `{ok, undefined}` (ignored) and its errors, as data. */
export type StartChildResult =
  | { readonly ok: true; readonly pid: Pid | undefined; readonly info?: unknown }
  | { readonly ok: false; readonly error: 'already_started'; readonly pid: Pid }
  | { readonly ok: false; readonly error: 'already_present' }
  | { readonly ok: false; readonly error: 'start_failed'; readonly reason: ExitReason }
  | {
      readonly ok: false;
      readonly error: 'invalid_child_spec';
      /** A bad field, or a significant child that cannot be one here (OTP's `bad_combination`). */
      readonly code: 'ERR_INVALID_CHILD_SPEC' | 'ERR_BAD_COMBINATION';
      readonly field: string;
      readonly message: string;
    };

export type TerminateChildResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: 'not_found' | 'simple_one_for_one' };

/** OTP's `get_childspec/2`: the spec with every default filled in. */
export type GetChildSpecResult =
  | { readonly ok: true; readonly spec: NormalizedChildSpec }
  | { readonly ok: false; readonly error: 'not_found' };

/** The answer to a call a supervisor does not understand (it also reports it as an event). */
export interface UnknownRequestResult {
  readonly ok: false;
  readonly error: 'unknown_request';
}

export type RestartChildResult =
  | { readonly ok: true; readonly pid: Pid | undefined; readonly info?: unknown }
  | {
      readonly ok: false;
      readonly error: 'running' | 'restarting' | 'not_found' | 'simple_one_for_one';
    }
  | { readonly ok: false; readonly error: 'start_failed'; readonly reason: ExitReason };

export type DeleteChildResult =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly error: 'running' | 'restarting' | 'not_found' | 'simple_one_for_one';
    };

/** One row of `whichChildren`, in start order (OTP lists newest first; see docs). */
export interface ChildInfo {
  /** Undefined for the children of a simple_one_for_one supervisor. */
  readonly id: string | undefined;
  readonly pid: Pid | 'restarting' | undefined;
  readonly type: ChildType;
}

export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}
