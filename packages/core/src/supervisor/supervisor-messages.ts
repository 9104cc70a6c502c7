import { isPid, type Pid } from '../pid.js';
import type { ChildSpec } from './child-spec.js';

/** Requests the supervisor API sends with `call` (always with an infinite timeout, as OTP does). */
export type SupervisorRequest =
  | { readonly $sup: 'start_child'; readonly spec: ChildSpec | undefined; readonly extra: unknown }
  | { readonly $sup: 'terminate_child'; readonly target: string | Pid }
  | { readonly $sup: 'restart_child'; readonly id: string }
  | { readonly $sup: 'delete_child'; readonly id: string }
  | { readonly $sup: 'get_childspec'; readonly target: string | Pid }
  | { readonly $sup: 'which_children' }
  | { readonly $sup: 'count_children' };

/** Messages a supervisor sends itself. */
export type SupervisorSelfMessage =
  | { readonly $sup: 'try_again_restart'; readonly key: string }
  | { readonly $sup: 'delayed_restart'; readonly key: string };

const isIdOrPid = (value: unknown): boolean =>
  (typeof value === 'string' && value.length > 0) || isPid(value);

/** What each verb needs to be understood; anything else is an unknown request. */
const REQUEST_SHAPES: Readonly<
  Record<SupervisorRequest['$sup'], (r: Record<string, unknown>) => boolean>
> = {
  start_child: () => true, // the spec is validated with the same rules as at init
  terminate_child: (r) => isIdOrPid(r.target),
  restart_child: (r) => typeof r.id === 'string',
  delete_child: (r) => typeof r.id === 'string',
  get_childspec: (r) => isIdOrPid(r.target),
  which_children: () => true,
  count_children: () => true,
};

function verbOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const verb = (value as { $sup?: unknown }).$sup;
  return typeof verb === 'string' ? verb : undefined;
}

/** A call the supervisor understands: a known verb with the fields it needs. */
export function isSupervisorRequest(value: unknown): value is SupervisorRequest {
  const verb = verbOf(value);
  if (verb === undefined || !Object.hasOwn(REQUEST_SHAPES, verb)) return false;
  return REQUEST_SHAPES[verb as SupervisorRequest['$sup']](value as Record<string, unknown>);
}

/** One of the supervisor's own timer or retry messages. */
export function isSelfMessage(value: unknown): value is SupervisorSelfMessage {
  const verb = verbOf(value);
  return (
    (verb === 'try_again_restart' || verb === 'delayed_restart') &&
    typeof (value as { key?: unknown }).key === 'string'
  );
}
