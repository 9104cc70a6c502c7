import fc from 'fast-check';
import type { CrashReason, CrashTarget, Fault, FaultKind, ModelFaultKind } from './fault.js';
import { invalidOption } from './testkit-error.js';

/**
 * What a schedule can aim at: the names, labels, nodes, models and tools of the system, as its
 * setup gives them. Only the kinds with something to aim at are generated.
 */
export interface FaultUniverse {
  /** Registered process names: timed crashes by name. */
  readonly names?: readonly string[];
  /** Labels given to `sim.actor`: crashes by label, crashes, hangs and slow handlers on the Nth message. */
  readonly labels?: readonly string[];
  /** Node names: partitions and slow links (two or more). */
  readonly nodes?: readonly string[];
  /** Labels given to `sim.model`: 429 storms, 5xx, 529, timeouts, garbage, context overflow. */
  readonly models?: readonly string[];
  /** Tool names wrapped with `sim.tool`: failures, hangs and slow calls. */
  readonly tools?: readonly string[];
  /** How many client requests the setup makes (`sim.client`): lost acknowledgements. */
  readonly requests?: number;
  /** Restrict to these kinds (default: every kind the universe has targets for). */
  readonly kinds?: readonly FaultKind[];
  /** Faults at a time fall in [0, horizonMs]. Default 60 000. */
  readonly horizonMs?: number;
  /** At most this many faults per schedule. Default 20. */
  readonly maxFaults?: number;
  /** At least this many (default 0): a benchmark asks for exactly `maxFaults`. */
  readonly minFaults?: number;
  /** "On its Nth message/call" ranges over 1..maxNth. Default 12. */
  readonly maxNth?: number;
  /** Longest hang of a slow handler, partition, link delay, clock jump. Default 30 000 ms. */
  readonly maxDurationMs?: number;
  /** Random crashes of any live process (`{ pick }`). Default true. */
  readonly randomCrashes?: boolean;
}

export const FAULT_DEFAULTS = Object.freeze({
  horizonMs: 60_000,
  maxFaults: 20,
  maxNth: 12,
  maxDurationMs: 30_000,
});

const reasonArb: fc.Arbitrary<CrashReason> = fc.constantFrom('error', 'kill', 'shutdown');

/** A crash at a time, of a named process, an instance of a label or any live process. */
export function crashAt(
  targets: readonly CrashTarget[],
  horizonMs: number,
  random = true,
): fc.Arbitrary<Fault> {
  const options: fc.Arbitrary<CrashTarget>[] = [];
  if (targets.length > 0) options.push(fc.constantFrom(...targets));
  if (random || targets.length === 0)
    options.push(fc.nat({ max: 1_000 }).map((pick) => ({ pick })));
  return fc.record({
    kind: fc.constant('crash' as const),
    at: fc.nat({ max: horizonMs }),
    target: fc.oneof(...options),
    reason: reasonArb,
  });
}

export function crashOnMessage(labels: readonly string[], maxNth: number): fc.Arbitrary<Fault> {
  return fc.record({
    kind: fc.constant('crash-on-message' as const),
    label: fc.constantFrom(...labels),
    nth: fc.integer({ min: 1, max: maxNth }),
    reason: reasonArb,
  });
}

export function hangHandler(labels: readonly string[], maxNth: number): fc.Arbitrary<Fault> {
  return fc.record({
    kind: fc.constant('hang' as const),
    label: fc.constantFrom(...labels),
    nth: fc.integer({ min: 1, max: maxNth }),
  });
}

export function slowHandler(
  labels: readonly string[],
  maxNth: number,
  maxMs: number,
): fc.Arbitrary<Fault> {
  return fc.record({
    kind: fc.constant('slow' as const),
    label: fc.constantFrom(...labels),
    nth: fc.integer({ min: 1, max: maxNth }),
    ms: fc.integer({ min: 1, max: maxMs }),
  });
}

/** Splits the nodes in two non-empty groups for a while, then heals them. */
export function partitionNodes(
  nodes: readonly string[],
  horizonMs: number,
  maxMs: number,
): fc.Arbitrary<Fault> {
  if (nodes.length < 2) throw invalidOption('nodes', nodes, 'two node names or more');
  return fc
    .record({
      at: fc.nat({ max: horizonMs }),
      side: fc.array(fc.boolean(), { minLength: nodes.length, maxLength: nodes.length }),
      healAfterMs: fc.integer({ min: 1, max: maxMs }),
    })
    .map(({ at, side, healAfterMs }) => {
      const a = nodes.filter((_, i) => side[i] === true);
      const b = nodes.filter((_, i) => side[i] !== true);
      // both sides non-empty: the first node always stands alone against the rest if needed
      const [left, right] =
        a.length > 0 && b.length > 0 ? [a, b] : [nodes.slice(0, 1), nodes.slice(1)];
      return { kind: 'partition' as const, at, a: left, b: right, healAfterMs };
    });
}

export function delayLink(
  nodes: readonly string[],
  horizonMs: number,
  maxMs: number,
): fc.Arbitrary<Fault> {
  if (nodes.length < 2) throw invalidOption('nodes', nodes, 'two node names or more');
  return fc
    .record({
      at: fc.nat({ max: horizonMs }),
      from: fc.nat({ max: nodes.length - 1 }),
      to: fc.nat({ max: nodes.length - 2 }),
      ms: fc.integer({ min: 1, max: maxMs }),
      forMs: fc.integer({ min: 1, max: maxMs }),
    })
    .map(({ at, from, to, ms, forMs }) => ({
      kind: 'link-delay' as const,
      at,
      from: nodes[from] as string,
      to: nodes[to >= from ? to + 1 : to] as string,
      ms,
      forMs,
    }));
}

const MODEL_FAULTS: readonly ModelFaultKind[] = [
  'rate-limited',
  'server-error',
  'overloaded',
  'timeout',
  'garbage',
  'context-overflow',
];

/** A run of consecutive failing calls: a 429 storm with Retry-After, 5xx, 529, timeouts, ... */
export function modelFault(models: readonly string[], maxNth: number): fc.Arbitrary<Fault> {
  return fc
    .record({
      model: fc.constantFrom(...models),
      call: fc.nat({ max: maxNth }),
      count: fc.integer({ min: 1, max: 8 }),
      fault: fc.constantFrom(...MODEL_FAULTS),
      retryAfterMs: fc.integer({ min: 0, max: 10_000 }),
    })
    .map(({ retryAfterMs, ...f }) => ({
      kind: 'model' as const,
      ...f,
      ...(f.fault === 'rate-limited' || f.fault === 'overloaded' ? { retryAfterMs } : {}),
    }));
}

export function toolFailure(
  tools: readonly string[],
  maxNth: number,
  maxMs: number,
): fc.Arbitrary<Fault> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('tool' as const),
      tool: fc.constantFrom(...tools),
      nth: fc.integer({ min: 1, max: maxNth }),
      failure: fc.constantFrom('error' as const, 'hang' as const),
    }),
    fc.record({
      kind: fc.constant('tool' as const),
      tool: fc.constantFrom(...tools),
      nth: fc.integer({ min: 1, max: maxNth }),
      failure: fc.constant('slow' as const),
      ms: fc.integer({ min: 1, max: maxMs }),
    }),
  );
}

export function clockJump(horizonMs: number, maxMs: number): fc.Arbitrary<Fault> {
  return fc.record({
    kind: fc.constant('clock-jump' as const),
    at: fc.nat({ max: horizonMs }),
    ms: fc.integer({ min: 1, max: maxMs }),
  });
}

export function redelivery(requests: number): fc.Arbitrary<Fault> {
  return fc.record({
    kind: fc.constant('redeliver' as const),
    nth: fc.integer({ min: 1, max: requests }),
  });
}

/**
 * A fault schedule over a system: a list of up to `maxFaults` faults of every kind the universe
 * has targets for. Lists shrink by dropping faults, numbers towards 0, so a failure shrinks to
 * the few faults (and the earliest times) that still break the system.
 */
export function faultSchedule(universe: FaultUniverse = {}): fc.Arbitrary<readonly Fault[]> {
  const horizonMs = universe.horizonMs ?? FAULT_DEFAULTS.horizonMs;
  const maxFaults = universe.maxFaults ?? FAULT_DEFAULTS.maxFaults;
  const maxNth = universe.maxNth ?? FAULT_DEFAULTS.maxNth;
  const maxMs = universe.maxDurationMs ?? FAULT_DEFAULTS.maxDurationMs;
  if (!(Number.isInteger(maxFaults) && maxFaults >= 0)) {
    throw invalidOption('maxFaults', maxFaults, 'an integer >= 0');
  }
  const minFaults = universe.minFaults ?? 0;
  if (!(Number.isInteger(minFaults) && minFaults >= 0 && minFaults <= maxFaults)) {
    throw invalidOption('minFaults', minFaults, `an integer from 0 to maxFaults (${maxFaults})`);
  }
  if (!(Number.isFinite(horizonMs) && horizonMs >= 0)) {
    throw invalidOption('horizonMs', horizonMs, 'a finite number >= 0');
  }
  const labels = universe.labels ?? [];
  const names = universe.names ?? [];
  const nodes = universe.nodes ?? [];
  const allowed = (kind: FaultKind) =>
    universe.kinds === undefined || universe.kinds.includes(kind);
  const arbs: fc.Arbitrary<Fault>[] = [];
  const targets: CrashTarget[] = [
    ...names.map((name) => ({ name })),
    ...labels.map((label) => ({ label })),
  ];
  if (allowed('crash') && (targets.length > 0 || universe.randomCrashes !== false)) {
    arbs.push(crashAt(targets, horizonMs, universe.randomCrashes !== false));
  }
  if (labels.length > 0) {
    if (allowed('crash-on-message')) arbs.push(crashOnMessage(labels, maxNth));
    if (allowed('hang')) arbs.push(hangHandler(labels, maxNth));
    if (allowed('slow')) arbs.push(slowHandler(labels, maxNth, maxMs));
  }
  if (nodes.length >= 2) {
    if (allowed('partition')) arbs.push(partitionNodes(nodes, horizonMs, maxMs));
    if (allowed('link-delay')) arbs.push(delayLink(nodes, horizonMs, maxMs));
  }
  if ((universe.models ?? []).length > 0 && allowed('model')) {
    arbs.push(modelFault(universe.models ?? [], maxNth));
  }
  if ((universe.tools ?? []).length > 0 && allowed('tool')) {
    arbs.push(toolFailure(universe.tools ?? [], maxNth, maxMs));
  }
  if (allowed('clock-jump')) arbs.push(clockJump(horizonMs, maxMs));
  if ((universe.requests ?? 0) > 0 && allowed('redeliver'))
    arbs.push(redelivery(universe.requests ?? 0));
  if (arbs.length === 0) {
    if (minFaults > 0)
      throw invalidOption('minFaults', minFaults, '0 when no fault kind has a target');
    return fc.constant([]);
  }
  return fc.array(fc.oneof(...arbs), { minLength: minFaults, maxLength: maxFaults });
}
