import type { Effect } from '../tools/tool.js';
import { EFFECTS } from '../tools/tool.js';
import { GovernanceError } from './governance-error.js';

/**
 * One grant of a capability set: these tools, doing at most this effect, on resources under these
 * prefixes (`fs:/srv/app/`, `db:tickets`). `'*'` means any tool or any resource.
 */
export interface Grant {
  readonly tools: readonly string[] | '*';
  /** The most a call may do: `read` < `write` < `irreversible`. */
  readonly upTo: Effect;
  /**
   * Prefixes of the resources a call may touch, as the tool's `scope(input)` names them; default
   * `'*'`. A call of a tool that declares no scope is covered only by a grant with `'*'`: a grant
   * narrowed to resources says nothing about a tool that cannot say what it touches.
   */
  readonly scopes?: readonly string[] | '*';
}

/** A capability set as plain data, for the wire; `CapabilitySet.fromWire` reads it back. */
export interface CapabilityWire {
  readonly $capabilities: 1;
  readonly grants: readonly Grant[];
}

export type CapabilityVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: string };

const RANK: Readonly<Record<Effect, number>> = { read: 0, write: 1, irreversible: 2 };

/** A path segment `..` or `.` would let a prefix match a resource outside it. */
const DOT_SEGMENT = /(^|[/\\])\.\.?([/\\]|$)/;

interface NormalGrant {
  readonly tools: ReadonlySet<string> | '*';
  readonly upTo: Effect;
  readonly scopes: readonly string[] | '*';
}

/**
 * What an agent may do, held by the runtime. A set is an object made only by this class (its
 * private field is the proof, `isCapabilitySet` checks it): the runtime takes capabilities from
 * the agent's spec and its start arguments, never from text, so nothing a model or a peer writes
 * in a message can grant a right. Sets only shrink: `attenuate` intersects, and a set read from
 * the wire is intersected with what this node granted before it is used.
 */
export class CapabilitySet {
  readonly #grants: readonly NormalGrant[];

  private constructor(grants: readonly NormalGrant[]) {
    this.#grants = grants;
    Object.freeze(this);
  }

  /** A set of the given grants; a malformed grant is `ERR_INVALID_CAPABILITY`. */
  static of(grants: readonly Grant[]): CapabilitySet {
    if (!Array.isArray(grants)) throw invalid('grants', grants, 'an array of grants');
    return new CapabilitySet(grants.map((g, i) => normalise(g, `grants.${i}`)));
  }

  /** Every tool, every effect, every resource: what an agent without a `capabilities` option holds. */
  static all(): CapabilitySet {
    return new CapabilitySet([{ tools: '*', upTo: 'irreversible', scopes: '*' }]);
  }

  static none(): CapabilitySet {
    return new CapabilitySet([]);
  }

  /**
   * Reads a set that crossed the wire and bounds it by `ceiling`, what this node granted the
   * sender's parent: a peer that lies about its rights gets at most what it was given here.
   */
  static fromWire(data: unknown, ceiling: CapabilitySet): CapabilitySet {
    const wire = data as Partial<CapabilityWire> | null;
    if (typeof wire !== 'object' || wire === null || wire.$capabilities !== 1) {
      throw invalid('wire', data, 'a CapabilityWire ({ $capabilities: 1, grants })');
    }
    return CapabilitySet.of(wire.grants as readonly Grant[]).attenuate(ceiling);
  }

  /** The grants, as data. */
  get grants(): readonly Grant[] {
    return this.#grants.map((g) => ({
      tools: g.tools === '*' ? '*' : [...g.tools].sort(),
      upTo: g.upTo,
      scopes: g.scopes,
    }));
  }

  /** True only for an object this class made (the private field is there), not for look-alikes. */
  static is(value: unknown): value is CapabilitySet {
    return typeof value === 'object' && value !== null && #grants in value;
  }

  toWire(): CapabilityWire {
    return { $capabilities: 1, grants: this.grants };
  }

  /**
   * Whether some grant covers a call of `tool` with `effect` touching every one of `scopes`.
   * The reason of a refusal is for the model and the audit log: it names what was missing.
   */
  check(tool: string, effect: Effect, scopes: readonly string[]): CapabilityVerdict {
    let toolSeen = false;
    let effectSeen = false;
    for (const grant of this.#grants) {
      if (grant.tools !== '*' && !grant.tools.has(tool)) continue;
      toolSeen = true;
      if (RANK[effect] > RANK[grant.upTo]) continue;
      effectSeen = true;
      if (coversAll(grant.scopes, scopes)) return ALLOWED;
    }
    if (!toolSeen) return { ok: false, reason: `no capability for tool ${tool}` };
    if (!effectSeen) return { ok: false, reason: `no capability for ${effect} calls of ${tool}` };
    const named = scopes.length === 0 ? 'an undeclared resource' : scopes.join(', ');
    return { ok: false, reason: `no capability for ${tool} on ${named}` };
  }

  /**
   * The intersection of this set and `other`: a call is covered by the result exactly when both
   * cover it. How a parent hands a subagent at most its own rights.
   */
  attenuate(other: CapabilitySet | readonly Grant[]): CapabilitySet {
    const theirs = other instanceof CapabilitySet ? other.#grants : CapabilitySet.of(other).#grants;
    const out: NormalGrant[] = [];
    for (const a of this.#grants) {
      for (const b of theirs) {
        const tools = intersectTools(a.tools, b.tools);
        if (tools !== '*' && tools.size === 0) continue;
        const scopes = intersectScopes(a.scopes, b.scopes);
        if (scopes !== '*' && scopes.length === 0) continue;
        out.push({ tools, upTo: RANK[a.upTo] <= RANK[b.upTo] ? a.upTo : b.upTo, scopes });
      }
    }
    return new CapabilitySet(out);
  }
}

/** True only for a set made by `CapabilitySet` itself, not for look-alike data. */
export function isCapabilitySet(value: unknown): value is CapabilitySet {
  return CapabilitySet.is(value);
}

const ALLOWED: CapabilityVerdict = Object.freeze({ ok: true });

function coversAll(prefixes: readonly string[] | '*', scopes: readonly string[]): boolean {
  if (prefixes === '*') return true;
  if (scopes.length === 0) return false;
  for (const scope of scopes) {
    // A resource with no dot has no dot segment: the expression runs only on those that do.
    if (scope.includes('.') && DOT_SEGMENT.test(scope)) return false;
    if (!startsWithAny(scope, prefixes)) return false;
  }
  return true;
}

function startsWithAny(scope: string, prefixes: readonly string[]): boolean {
  for (const prefix of prefixes) if (scope.startsWith(prefix)) return true;
  return false;
}

function intersectTools(
  a: ReadonlySet<string> | '*',
  b: ReadonlySet<string> | '*',
): ReadonlySet<string> | '*' {
  if (a === '*') return b;
  if (b === '*') return a;
  return new Set([...a].filter((t) => b.has(t)));
}

/** A resource under both a prefix p of one side and q of the other is under the longer of them. */
function intersectScopes(
  a: readonly string[] | '*',
  b: readonly string[] | '*',
): readonly string[] | '*' {
  if (a === '*') return b;
  if (b === '*') return a;
  const out = new Set<string>();
  for (const p of a) {
    for (const q of b) {
      if (p.startsWith(q)) out.add(p);
      else if (q.startsWith(p)) out.add(q);
    }
  }
  return [...out].sort();
}

function normalise(grant: Grant, field: string): NormalGrant {
  if (typeof grant !== 'object' || grant === null) throw invalid(field, grant, 'a grant');
  const { tools, upTo, scopes = '*' } = grant;
  if (!EFFECTS.includes(upTo)) throw invalid(`${field}.upTo`, upTo, EFFECTS.join(' | '));
  if (tools !== '*' && !(Array.isArray(tools) && tools.every((t) => typeof t === 'string'))) {
    throw invalid(`${field}.tools`, tools, "'*' or an array of tool names");
  }
  if (
    scopes !== '*' &&
    !(Array.isArray(scopes) && scopes.every((s) => typeof s === 'string' && s.length > 0))
  ) {
    throw invalid(`${field}.scopes`, scopes, "'*' or an array of non-empty prefixes");
  }
  return {
    tools: tools === '*' ? '*' : new Set(tools),
    upTo,
    scopes: scopes === '*' ? '*' : [...new Set(scopes)].sort(),
  };
}

function invalid(field: string, value: unknown, expected: string): GovernanceError {
  let shown: string;
  try {
    shown = JSON.stringify(value)?.slice(0, 200) ?? String(value);
  } catch {
    shown = String(value);
  }
  return new GovernanceError(
    'ERR_INVALID_CAPABILITY',
    `invalid capability ${field}: ${shown} (expected ${expected})`,
    { field },
  );
}
