import type { AnyStateMachine } from 'xstate';
import { MachinesError } from '../errors.js';

type AnyStateNode = AnyStateMachine['root'];

/** An event as the table sees it: a type, and whatever payload guards and assignments read. */
export interface TableEvent {
  readonly type: string;
}

type Guard = (args: { context: object; event: TableEvent }, params: unknown) => boolean;
/** One `assign` action, applied: the context after it, a new object (the one given is kept). */
type Assignment = (context: object, event: TableEvent) => object;

/** One candidate transition of a state for an event type, in the machine's order. */
interface Candidate {
  readonly guard: Guard | undefined;
  readonly params: unknown;
  readonly target: string | undefined;
  readonly assignments: readonly Assignment[];
}

/** Where an accepted event leads: the next state and the context after its assignments. */
export interface TableStep<C> {
  readonly state: string;
  readonly context: C;
}

/**
 * A flat statechart compiled to a lookup table, state by event type to its candidate
 * transitions, with the machine's own guard and `assign` implementations resolved once. Taking
 * an event is a map lookup, the guards in order, and the assignments folded over the context: a
 * pure function of (state, context, event), with none of a macrostep's bookkeeping (no snapshot,
 * no action queue, no entry/exit walk). The machine stays the definition (diagrams and docs are
 * walked from it); the table refuses to compile anything it could not run exactly as xstate does
 * (nested or parallel states, eventless or delayed transitions, entry or exit actions, actions
 * other than `assign`, wildcard events), so it cannot drift silently.
 */
export class TransitionTable<C extends object> {
  readonly initial: string;
  readonly #rows: ReadonlyMap<string, ReadonlyMap<string, readonly Candidate[]>>;

  constructor(machine: AnyStateMachine) {
    const root = machine.root;
    const initial = root.initial?.target?.[0];
    if (initial === undefined) throw unsupported('a machine without an initial state');
    this.initial = initial.key;
    const rows = new Map<string, Map<string, Candidate[]>>();
    for (const node of Object.values(root.states) as AnyStateNode[]) {
      checkFlat(node);
      const row = new Map<string, Candidate[]>();
      for (const [eventType, transitions] of node.transitions) {
        if (eventType.includes('*')) throw unsupported(`the wildcard event ${eventType}`);
        row.set(
          eventType,
          transitions.map((t) => candidate(machine, node, t)),
        );
      }
      rows.set(node.key, row);
    }
    this.#rows = rows;
  }

  /** The transition `event` takes from `state` with `context`, or `undefined` if refused. */
  step(state: string, context: C, event: TableEvent): TableStep<C> | undefined {
    const found = this.#enabled(state, context, event);
    if (found === undefined) return undefined;
    let next: object = context;
    for (const assign of found.assignments) next = assign(next, event);
    return { state: found.target ?? state, context: next as C };
  }

  /** Whether `event` is taken from `state` with `context` (xstate's `can`). */
  can(state: string, context: C, event: TableEvent): boolean {
    return this.#enabled(state, context, event) !== undefined;
  }

  #enabled(state: string, context: C, event: TableEvent): Candidate | undefined {
    const candidates = this.#rows.get(state)?.get(event.type);
    if (candidates === undefined) return undefined;
    for (const c of candidates) {
      if (c.guard !== undefined && !c.guard({ context, event }, c.params)) continue;
      // A transition with neither a target nor an action is no transition (xstate's `can`).
      return c.target === undefined && c.assignments.length === 0 ? undefined : c;
    }
    return undefined;
  }
}

function checkFlat(node: AnyStateNode): void {
  const where = `state ${node.key}`;
  if (Object.keys(node.states).length > 0) throw unsupported(`${where}: nested states`);
  if (node.type !== 'atomic' && node.type !== 'final') throw unsupported(`${where}: ${node.type}`);
  if (node.entry.length > 0 || node.exit.length > 0) throw unsupported(`${where}: entry/exit`);
  if ((node.always?.length ?? 0) > 0) throw unsupported(`${where}: eventless transitions`);
  if (node.after.length > 0) throw unsupported(`${where}: delayed transitions`);
  if (node.invoke.length > 0) throw unsupported(`${where}: invoked actors`);
}

function candidate(
  machine: AnyStateMachine,
  source: AnyStateNode,
  t: AnyStateNode['transitions'] extends Map<string, (infer T)[]> ? T : never,
): Candidate {
  const targets = t.target ?? [];
  if (targets.length > 1) throw unsupported(`${source.key}: a transition to several states`);
  const target = targets[0];
  if (target !== undefined && target.parent !== machine.root)
    throw unsupported(`${source.key}: a target outside the top level`);
  // A self-transition with `reenter` would run entry/exit actions; flat states have none.
  const { guard, params } = resolveGuard(machine, t.guard);
  return {
    guard,
    params,
    target: target?.key,
    assignments: (t.actions as readonly unknown[]).map((a) => resolveAssign(machine, a)),
  };
}

function resolveGuard(
  machine: AnyStateMachine,
  guard: unknown,
): { guard: Guard | undefined; params: unknown } {
  if (guard === undefined) return { guard: undefined, params: undefined };
  const named = (name: string, params: unknown) => {
    const impl = (machine.implementations.guards as Record<string, unknown>)[name];
    if (typeof impl !== 'function' || 'check' in impl)
      throw unsupported(`the guard ${name}: not a plain function`);
    return { guard: impl as Guard, params };
  };
  if (typeof guard === 'string') return named(guard, undefined);
  if (typeof guard === 'function' && !('check' in guard))
    return { guard: guard as Guard, params: undefined };
  if (typeof guard === 'object' && guard !== null && 'type' in guard) {
    const { type, params } = guard as { type: string; params?: unknown };
    return named(type, params);
  }
  throw unsupported('a higher-order guard');
}

function resolveAssign(machine: AnyStateMachine, action: unknown): Assignment {
  let impl = action;
  if (typeof action === 'string')
    impl = (machine.implementations.actions as Record<string, unknown>)[action];
  else if (typeof action === 'object' && action !== null && 'type' in action) {
    if ('params' in action) throw unsupported('an action with params');
    impl = (machine.implementations.actions as Record<string, unknown>)[
      (action as { type: string }).type
    ];
  }
  const assignment = (impl as { assignment?: unknown } | undefined)?.assignment;
  if (
    (impl as { type?: unknown } | undefined)?.type !== 'xstate.assign' ||
    assignment === undefined
  )
    throw unsupported(
      `the action ${String(typeof action === 'string' ? action : (action as { type?: unknown })?.type)}: only assign is supported`,
    );
  if (typeof assignment === 'function') {
    const partialOf = assignment as (args: { context: object; event: TableEvent }) => object;
    return (context, event) => ({ ...context, ...partialOf({ context, event }) });
  }
  // An object of property assigners: each reads the context as it was before this action, as
  // xstate's do, and the copy is written in place (one copy per action, not a partial and a merge).
  const entries = Object.entries(assignment as Record<string, unknown>);
  return (context, event) => {
    const args = { context, event };
    const next: Record<string, unknown> = { ...context };
    for (const [key, value] of entries)
      next[key] = typeof value === 'function' ? value(args) : value;
    return next;
  };
}

/** A machine the table cannot run exactly as xstate would: refused when the table is built. */
function unsupported(what: string): MachinesError {
  return new MachinesError('ERR_INVALID_OPTION', `a transition table cannot run ${what}`, {
    field: 'machine',
  });
}
