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
 * starts it linked under the supervisor's context (`ctx.startLink`); the supervisor leaves the
 * links of what the function linked or unlinked alone (decision 0019). Under `simple_one_for_one`
 * the function receives the `extra` given to `startDynamicChild`; for the behaviour form `extra`
 * is appended to `args` (decision 0018).
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

/** OTP's `bad_combination`: each value is valid alone, not together with the other. */
function badCombination(id: unknown, other: string): WardenError {
  return new WardenError(
    'ERR_BAD_COMBINATION',
    `invalid child spec ${describeValue(id)}: significant = true cannot go with ${other} (bad_combination)`,
    { field: 'significant' },
  );
}

/**
 * Fills defaults and checks one spec against the flags. Throws `ERR_INVALID_CHILD_SPEC` naming a
 * bad field, or `ERR_BAD_COMBINATION` for a significant child that is permanent or under
 * `autoShutdown: 'never'`.
 */
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
  // OTP checks the supervisor's flag first, then the restart type.
  if (significant && flags.autoShutdown === 'never')
    throw badCombination(id, "autoShutdown 'never'");
  if (significant && restart === 'permanent') throw badCombination(id, "restart 'permanent'");
  return Object.freeze({ id, start, restart, shutdown, type, significant });
}

/**
 * Validates a whole list: each spec, then OTP's two list rules. A simple_one_for_one supervisor
 * takes exactly one spec, its template (`ERR_BAD_START_SPEC`, field `children`); ids are unique
 * (`ERR_DUPLICATE_CHILD_ID`, field `id`; OTP's `duplicate_child_name`).
 */
export function validateChildSpecs(
  specs: readonly ChildSpec[],
  flags: SupervisorFlags,
): NormalizedChildSpec[] {
  if (flags.strategy === 'simple_one_for_one' && (!Array.isArray(specs) || specs.length !== 1)) {
    const count = Array.isArray(specs) ? `${specs.length} specs` : specs;
    throw new WardenError(
      'ERR_BAD_START_SPEC',
      `invalid children ${describeValue(count)} (expected exactly one template for simple_one_for_one)`,
      { field: 'children' },
    );
  }
  if (!Array.isArray(specs)) throw invalid(undefined, 'children', specs, 'an array of child specs');
  const seen = new Set<string>();
  return specs.map((spec) => {
    const normalized = validateChildSpec(spec, flags);
    if (seen.has(normalized.id)) {
      throw new WardenError(
        'ERR_DUPLICATE_CHILD_ID',
        `duplicate child id ${describeValue(normalized.id)} (duplicate_child_name)`,
        { field: 'id' },
      );
    }
    seen.add(normalized.id);
    return normalized;
  });
}
