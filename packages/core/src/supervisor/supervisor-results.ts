import type { ExitReason } from '../exit-reason.js';
import type { Pid } from '../pid.js';
import type { ChildType } from './child-spec.js';

/** OTP's `{ok, Pid}` / `{ok, Pid, Info}` / `{ok, undefined}` (ignored) and its errors, as data. */
export type StartChildResult =
  | { readonly ok: true; readonly pid: Pid | undefined; readonly info?: unknown }
  | { readonly ok: false; readonly error: 'already_started'; readonly pid: Pid }
  | { readonly ok: false; readonly error: 'already_present' }
  | { readonly ok: false; readonly error: 'start_failed'; readonly reason: ExitReason }
  | {
      readonly ok: false;
      readonly error: 'invalid_child_spec';
      readonly field: string;
      readonly message: string;
    };

export type TerminateChildResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: 'not_found' | 'simple_one_for_one' };

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
