/**
 * The reference model for the model-based supervisor test: OTP's supervisor rules as a small pure
 * state machine, written from docs/semantics.md (items 14-24, 35, 41) and not from warden's code.
 * It knows nothing about processes: a running child is a "generation" number, and every (re)start
 * hands out a fresh one, so the test can tell a restarted child (new generation, must have a new
 * pid) from an untouched one (same generation, must keep its pid).
 */

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one';
export type RestartType = 'permanent' | 'transient' | 'temporary';

/** How a child ended, as far as the restart decision cares (`exit(pid, 'kill')` leaves `killed`). */
export type ModelReason = 'normal' | 'shutdown' | 'shutdown_detail' | 'error' | 'killed';

export interface ModelFlags {
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly period: number;
}

export interface ModelChild {
  readonly id: string;
  readonly restart: RestartType;
  /** The generation of the running instance; undefined when the child has no process. */
  gen: number | undefined;
}

export interface SupervisorModel {
  readonly flags: ModelFlags;
  alive: boolean;
  /** Virtual time in ms. */
  now: number;
  /** Times of the restarts still inside the intensity window. */
  restarts: number[];
  /** Restart events so far; a group restart is one event (item 22). */
  restartEvents: number;
  /** Children in start order. */
  children: ModelChild[];
  nextGen: number;
}

export function createModel(
  flags: ModelFlags,
  specs: readonly { readonly id: string; readonly restart: RestartType }[],
): SupervisorModel {
  const model: SupervisorModel = {
    flags,
    alive: true,
    now: 0,
    restarts: [],
    restartEvents: 0,
    children: [],
    nextGen: 0,
  };
  for (const spec of specs) model.children.push({ ...spec, gen: model.nextGen++ });
  return model;
}

export function isRunning(child: ModelChild): boolean {
  return child.gen !== undefined;
}

/** Items 14-16: permanent always, temporary never, transient unless normal/shutdown/{shutdown,_}. */
export function isRestarted(restart: RestartType, reason: ModelReason): boolean {
  if (restart === 'permanent') return true;
  if (restart === 'temporary') return false;
  return reason === 'error' || reason === 'killed';
}

export type ExitOutcome = 'restarted' | 'stopped' | 'removed' | 'escalated';

/** A running child exits on its own: restart it by strategy, keep it stopped, or give up. */
export function childExits(model: SupervisorModel, id: string, reason: ModelReason): ExitOutcome {
  const child = find(model, id);
  if (child === undefined || child.gen === undefined)
    throw new Error(`model: ${id} is not running`);
  child.gen = undefined;
  if (!isRestarted(child.restart, reason)) {
    // Item 18: not a restart, siblings untouched. Item 16: a temporary child's spec goes.
    if (child.restart !== 'temporary') return 'stopped';
    model.children = model.children.filter((c) => c !== child);
    return 'removed';
  }
  if (exceedsIntensity(model)) {
    // Item 23: all children terminated, the supervisor exits with `shutdown`.
    for (const c of model.children) c.gen = undefined;
    model.alive = false;
    return 'escalated';
  }
  model.restartEvents++;
  const index = model.children.indexOf(child);
  const group =
    model.flags.strategy === 'one_for_one'
      ? [child]
      : model.flags.strategy === 'one_for_all'
        ? [...model.children]
        : model.children.slice(index);
  // Items 19-21: the group's other members stop; temporary ones are dropped, not restarted.
  const dropped = new Set(group.filter((c) => c !== child && c.restart === 'temporary'));
  model.children = model.children.filter((c) => !dropped.has(c));
  for (const c of group) if (!dropped.has(c)) c.gen = model.nextGen++;
  return 'restarted';
}

/** Item 23: keep restarts with `t >= now - period`, add now, give up when more than intensity. */
function exceedsIntensity(model: SupervisorModel): boolean {
  const { intensity, period } = model.flags;
  model.restarts = model.restarts.filter((t) => t >= model.now - period);
  model.restarts.push(model.now);
  return model.restarts.length > intensity;
}

/** Item 35: stops the child and keeps its spec, unless it is temporary. */
export function terminateChild(model: SupervisorModel, id: string): 'ok' | 'not_found' {
  const child = find(model, id);
  if (child === undefined) return 'not_found';
  child.gen = undefined;
  if (child.restart === 'temporary') model.children = model.children.filter((c) => c !== child);
  return 'ok';
}

/** Item 35: starts a stopped child again; a running one is refused. Not counted as a restart. */
export function restartChild(model: SupervisorModel, id: string): 'ok' | 'running' | 'not_found' {
  const child = find(model, id);
  if (child === undefined) return 'not_found';
  if (child.gen !== undefined) return 'running';
  child.gen = model.nextGen++;
  return 'ok';
}

/** Item 35: only a child that is not running can be deleted. */
export function deleteChild(model: SupervisorModel, id: string): 'ok' | 'running' | 'not_found' {
  const child = find(model, id);
  if (child === undefined) return 'not_found';
  if (child.gen !== undefined) return 'running';
  model.children = model.children.filter((c) => c !== child);
  return 'ok';
}

/** Item 41: an existing id is refused; a new child goes last in start order. */
export function startChild(
  model: SupervisorModel,
  spec: { readonly id: string; readonly restart: RestartType },
): 'ok' | 'already_started' | 'already_present' {
  const existing = find(model, spec.id);
  if (existing !== undefined)
    return existing.gen !== undefined ? 'already_started' : 'already_present';
  model.children.push({ id: spec.id, restart: spec.restart, gen: model.nextGen++ });
  return 'ok';
}

export function advance(model: SupervisorModel, ms: number): void {
  model.now += ms;
}

function find(model: SupervisorModel, id: string): ModelChild | undefined {
  return model.children.find((c) => c.id === id);
}
