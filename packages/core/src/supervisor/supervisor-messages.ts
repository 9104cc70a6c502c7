import type { Pid } from '../pid.js';
import type { ChildSpec } from './child-spec.js';

/** Requests the supervisor API sends with `call` (always with an infinite timeout, as OTP does). */
export type SupervisorRequest =
  | { readonly $sup: 'start_child'; readonly spec: ChildSpec | undefined; readonly extra: unknown }
  | { readonly $sup: 'terminate_child'; readonly target: string | Pid }
  | { readonly $sup: 'restart_child'; readonly id: string }
  | { readonly $sup: 'delete_child'; readonly id: string }
  | { readonly $sup: 'which_children' }
  | { readonly $sup: 'count_children' };

/** Messages a supervisor sends itself. */
export type SupervisorSelfMessage =
  | { readonly $sup: 'try_again_restart'; readonly key: string }
  | { readonly $sup: 'delayed_restart'; readonly key: string };

export function isSupervisorRequest(value: unknown): value is SupervisorRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { $sup?: unknown }).$sup === 'string'
  );
}
