import type { Ignore } from '../actor-result.js';
import { type Behaviour, isActorBehaviour } from '../behaviour.js';
import type { ActorContext, SpawnOptions } from '../context.js';
import { describeValue, WardenError } from '../errors.js';
import type { Pid } from '../pid.js';
import type { SupervisorFlags } from './flags.js';

export type RestartType = 'permanent' | 'transient' | 'temporary';
export type ChildType = 'worker' | 'supervisor';
/** `brutal_kill`, `infinity`, or milliseconds to wait after the shutdown signal before a kill. */
export type Shutdown = 'brutal_kill' | 'infinity' | number;

/** What a start function may return (OTP's `{ok, Pid}`, `{ok, Pid, Info}`, `ignore`). */
export type StartReturn = Pid | Ignore | { readonly pid: Pid; readonly info: unknown };

/**
 * How to start a child: a behaviour (started linked, waiting for its `init`), or a function that
 * starts it under the supervisor's context (use `ctx.startLink`). Under `simple_one_for_one` the
 * function receives the `extra` given to `startChild`; for the behaviour form `extra`, when given,
 * replaces `args`.
 */
export type ChildStart =
  | {
      // biome-ignore lint/suspicious/noExplicitAny: a child may take any args; start passes them through unchecked.
      readonly behaviour: Behaviour<any>;
      readonly args?: unknown;
      readonly options?: Omit<SpawnOptions, 'args'>;
    }
  | ((ctx: ActorContext, extra: unknown) => StartReturn | Promise<StartReturn>);

export interface ChildSpec {
  readonly id: string;
  readonly start: ChildStart;
  readonly restart?: RestartType;
  readonly shutdown?: Shutdown;
  readonly type?: ChildType;
  readonly significant?: boolean;
}

/** A child spec with every default filled in. */
export interface NormalizedChildSpec {
  readonly id: string;
  readonly start: ChildStart;
  readonly restart: RestartType;
  readonly shutdown: Shutdown;
  readonly type: ChildType;
  readonly significant: boolean;
}

/** OTP's `?default_child_spec`: shutdown 5000 ms for workers, infinity for supervisors. */
export const DEFAULT_WORKER_SHUTDOWN = 5000;

function invalid(id: unknown, field: string, value: unknown, expected: string): WardenError {
  return new WardenError(
    'ERR_INVALID_CHILD_SPEC',
    `invalid child spec ${describeValue(id)}: ${field} = ${describeValue(value)} (expected ${expected})`,
    { field },
  );
}

/** Fills defaults and checks one spec against the flags; throws `ERR_INVALID_CHILD_SPEC` naming the field. */
export function validateChildSpec(spec: ChildSpec, flags: SupervisorFlags): NormalizedChildSpec {
  if (typeof spec !== 'object' || spec === null)
    throw invalid(undefined, 'spec', spec, 'an object');
  const { id } = spec;
  if (typeof id !== 'string' || id.length === 0) throw invalid(id, 'id', id, 'a non-empty string');
  const start = spec.start;
  const startOk =
    typeof start === 'function' ||
    (typeof start === 'object' &&
      start !== null &&
      (isActorBehaviour(start.behaviour) || typeof start.behaviour === 'function'));
  if (!startOk) throw invalid(id, 'start', start, 'a function or { behaviour, args? }');
  const restart = spec.restart ?? 'permanent';
  if (restart !== 'permanent' && restart !== 'transient' && restart !== 'temporary') {
    throw invalid(id, 'restart', restart, "'permanent' | 'transient' | 'temporary'");
  }
  const type = spec.type ?? 'worker';
  if (type !== 'worker' && type !== 'supervisor')
    throw invalid(id, 'type', type, "'worker' | 'supervisor'");
  const shutdown = spec.shutdown ?? (type === 'worker' ? DEFAULT_WORKER_SHUTDOWN : 'infinity');
  const shutdownOk =
    shutdown === 'brutal_kill' ||
    shutdown === 'infinity' ||
    (typeof shutdown === 'number' && Number.isInteger(shutdown) && shutdown >= 0);
  if (!shutdownOk)
    throw invalid(id, 'shutdown', shutdown, "'brutal_kill' | 'infinity' | an integer >= 0");
  const significant = spec.significant ?? false;
  if (typeof significant !== 'boolean') throw invalid(id, 'significant', significant, 'a boolean');
  if (significant && restart === 'permanent') {
    throw invalid(id, 'significant', significant, 'false for a permanent child (bad_combination)');
  }
  if (significant && flags.autoShutdown === 'never') {
    throw invalid(id, 'significant', significant, "false when autoShutdown is 'never'");
  }
  return Object.freeze({ id, start, restart, shutdown, type, significant });
}

/** Validates a whole list: each spec, unique ids, and exactly one template for simple_one_for_one. */
export function validateChildSpecs(
  specs: readonly ChildSpec[],
  flags: SupervisorFlags,
): NormalizedChildSpec[] {
  if (!Array.isArray(specs)) throw invalid(undefined, 'children', specs, 'an array of child specs');
  if (flags.strategy === 'simple_one_for_one' && specs.length !== 1) {
    throw invalid(
      undefined,
      'children',
      `${specs.length} specs`,
      'exactly one template for simple_one_for_one',
    );
  }
  const seen = new Set<string>();
  return specs.map((spec) => {
    const normalized = validateChildSpec(spec, flags);
    if (seen.has(normalized.id)) {
      throw invalid(normalized.id, 'id', normalized.id, 'a unique id (duplicate_child_name)');
    }
    seen.add(normalized.id);
    return normalized;
  });
}
