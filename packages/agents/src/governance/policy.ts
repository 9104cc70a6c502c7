import type { FeatureFlags } from '@warden/resilience';
import type { Effect } from '../tools/tool.js';
import { EFFECTS } from '../tools/tool.js';
import { GovernanceError } from './governance-error.js';

export type PolicyDecision = 'allow' | 'deny' | 'ask';

/**
 * What happens to a call interrupted while it ran (its outcome unknown) whose tool is neither a
 * read nor idempotent: `ask` a person whether to run it again, or `fail` it at once (the model is
 * told it may have happened and was not run again). It is never run again without a decision.
 */
export type UnknownOutcomeMode = 'ask' | 'fail';

/**
 * One rule, as data. It matches a call when every field it sets matches (no field: any); the
 * first matching rule decides. `scopes` are prefixes every resource of the call must be under.
 */
export interface PolicyRule {
  readonly id: string;
  readonly decision: PolicyDecision;
  readonly tools?: readonly string[];
  readonly effects?: readonly Effect[];
  readonly scopes?: readonly string[];
  readonly agents?: readonly string[];
  /** For the calls this rule matches whose outcome is unknown; default the policy's. */
  readonly onUnknownOutcome?: UnknownOutcomeMode;
}

/**
 * A run-time switch: while `flag` is on, every `write` and `irreversible` call is denied; with
 * `scopes`, only those touching a resource under one of those prefixes (a freeze of production,
 * not of the mail service) and those that declare no resource at all (a freeze fails closed).
 */
export interface FreezeSwitch {
  readonly flags: FeatureFlags;
  readonly flag: string;
  readonly scopes?: readonly string[];
}

export interface PolicyOptions {
  readonly rules?: readonly PolicyRule[];
  /** Freeze switches (one for the node, one for a tree, ...): any one on freezes the agent. */
  readonly freeze?: readonly FreezeSwitch[];
  /**
   * For a call whose outcome is unknown, when its rule says nothing: default `ask` when the agent
   * has an approval desk, else `fail`.
   */
  readonly onUnknownOutcome?: UnknownOutcomeMode;
}

/** What a call looks like to the policy. */
export interface PolicyCall {
  readonly agent: string;
  readonly tool: string;
  readonly effect: Effect;
  readonly scopes: readonly string[];
}

/** Who chose how an unknown outcome is decided: `rule:<id>`, `policy`, or nobody (the default). */
export interface UnknownOutcomeChoice {
  readonly mode: UnknownOutcomeMode | undefined;
  readonly by: string;
}

export interface PolicyVerdict {
  readonly decision: PolicyDecision;
  /** `freeze:<flag>`, `rule:<id>` or `default:<effect>`. */
  readonly by: string;
}

/** With no rule matching: reads and writes go through, an irreversible call is denied. */
export const POLICY_DEFAULTS: Readonly<Record<Effect, PolicyDecision>> = Object.freeze({
  read: 'allow',
  write: 'allow',
  irreversible: 'deny',
});

/** The verdict of a call no rule matches, one frozen object per effect: made once, not per call. */
const DEFAULT_VERDICTS: Readonly<Record<Effect, PolicyVerdict>> = Object.freeze({
  read: Object.freeze({ decision: POLICY_DEFAULTS.read, by: 'default:read' }),
  write: Object.freeze({ decision: POLICY_DEFAULTS.write, by: 'default:write' }),
  irreversible: Object.freeze({
    decision: POLICY_DEFAULTS.irreversible,
    by: 'default:irreversible',
  }),
});

const DECISIONS: readonly PolicyDecision[] = ['allow', 'deny', 'ask'];
const UNKNOWN_OUTCOME_MODES: readonly UnknownOutcomeMode[] = ['ask', 'fail'];

/**
 * The policy engine, the first approver of every call: rules as data, checked once here, then a
 * freeze read from its feature flags at each call (so a freeze applies to the next call of every
 * agent that shares the switch, with no restart). No rule waves an irreversible call through: an
 * `allow` that matches one becomes `ask`, so a person approves it.
 */
export class Policy {
  readonly rules: readonly PolicyRule[];
  readonly freeze: readonly FreezeSwitch[];
  readonly onUnknownOutcome: UnknownOutcomeMode | undefined;

  constructor(options: PolicyOptions = {}) {
    const rules = options.rules ?? [];
    if (!Array.isArray(rules)) throw invalid('rules', rules, 'an array of rules');
    this.rules = Object.freeze(rules.map((r, i) => checkRule(r, `rules.${i}`)));
    const freeze = options.freeze ?? [];
    if (!Array.isArray(freeze)) throw invalid('freeze', freeze, 'an array of freeze switches');
    freeze.forEach((f, i) => {
      if (typeof f?.flags?.isEnabled !== 'function' || typeof f.flag !== 'string') {
        throw invalid(`freeze.${i}`, f, '{ flags: FeatureFlags, flag }');
      }
      if (
        f.scopes !== undefined &&
        !(
          Array.isArray(f.scopes) &&
          f.scopes.every((p: unknown) => typeof p === 'string' && p !== '')
        )
      ) {
        throw invalid(`freeze.${i}.scopes`, f.scopes, 'an array of non-empty scope prefixes');
      }
      f.flags.isEnabled(f.flag); // an unknown flag is an error now, not a silent "not frozen"
    });
    this.freeze = Object.freeze([...freeze]);
    const mode = options.onUnknownOutcome;
    if (mode !== undefined && !UNKNOWN_OUTCOME_MODES.includes(mode)) {
      throw invalid('onUnknownOutcome', mode, UNKNOWN_OUTCOME_MODES.join(' | '));
    }
    this.onUnknownOutcome = mode;
  }

  /** This policy with more freeze switches (a subagent takes its parent's). */
  withFreeze(more: readonly FreezeSwitch[]): Policy {
    if (more.length === 0) return this;
    return new Policy({
      rules: this.rules,
      freeze: [...this.freeze, ...more],
      ...(this.onUnknownOutcome === undefined ? {} : { onUnknownOutcome: this.onUnknownOutcome }),
    });
  }

  /** The switch that freezes a call on these resources now, if any. */
  frozenBy(scopes: readonly string[]): string | undefined {
    for (const f of this.freeze) {
      if (f.flags.isEnabled(f.flag) && covers(f, scopes)) return `freeze:${f.flag}`;
    }
    return undefined;
  }

  decide(call: PolicyCall): PolicyVerdict {
    if (call.effect !== 'read') {
      const frozen = this.frozenBy(call.scopes);
      if (frozen !== undefined) return { decision: 'deny', by: frozen };
    }
    for (const rule of this.rules) {
      if (!matches(rule, call)) continue;
      const decision =
        rule.decision === 'allow' && call.effect === 'irreversible' ? 'ask' : rule.decision;
      return { decision, by: `rule:${rule.id}` };
    }
    return DEFAULT_VERDICTS[call.effect];
  }

  /**
   * How a call whose outcome is unknown is decided: the first matching rule's `onUnknownOutcome`,
   * else the policy's, else undefined (the gate's default). Asked only on that rare path, so the
   * verdict of every call stays as small as it is.
   */
  unknownOutcome(call: PolicyCall): UnknownOutcomeChoice {
    for (const rule of this.rules) {
      if (!matches(rule, call)) continue;
      if (rule.onUnknownOutcome !== undefined) {
        return { mode: rule.onUnknownOutcome, by: `rule:${rule.id}` };
      }
      break;
    }
    return { mode: this.onUnknownOutcome, by: 'policy' };
  }
}

function matches(rule: PolicyRule, call: PolicyCall): boolean {
  if (rule.tools !== undefined && !rule.tools.includes(call.tool)) return false;
  if (rule.effects !== undefined && !rule.effects.includes(call.effect)) return false;
  if (rule.agents !== undefined && !rule.agents.includes(call.agent)) return false;
  if (rule.scopes !== undefined) {
    const prefixes = rule.scopes;
    if (call.scopes.length === 0) return false;
    if (!call.scopes.every((s) => prefixes.some((p) => s.startsWith(p)))) return false;
  }
  return true;
}

function checkRule(rule: PolicyRule, field: string): PolicyRule {
  if (typeof rule !== 'object' || rule === null) throw invalid(field, rule, 'a rule');
  if (typeof rule.id !== 'string' || rule.id === '')
    throw invalid(`${field}.id`, rule.id, 'a name');
  if (!DECISIONS.includes(rule.decision)) {
    throw invalid(`${field}.decision`, rule.decision, DECISIONS.join(' | '));
  }
  for (const key of ['tools', 'scopes', 'agents'] as const) {
    const list = rule[key];
    if (list !== undefined && !(Array.isArray(list) && list.every((x) => typeof x === 'string'))) {
      throw invalid(`${field}.${key}`, list, 'an array of strings');
    }
  }
  if (
    rule.effects !== undefined &&
    !(Array.isArray(rule.effects) && rule.effects.every((e) => EFFECTS.includes(e)))
  ) {
    throw invalid(`${field}.effects`, rule.effects, `an array of ${EFFECTS.join(' | ')}`);
  }
  if (
    rule.onUnknownOutcome !== undefined &&
    !UNKNOWN_OUTCOME_MODES.includes(rule.onUnknownOutcome)
  ) {
    throw invalid(
      `${field}.onUnknownOutcome`,
      rule.onUnknownOutcome,
      UNKNOWN_OUTCOME_MODES.join(' | '),
    );
  }
  if (
    rule.decision === 'allow' &&
    rule.effects !== undefined &&
    rule.effects.length === 1 &&
    rule.effects[0] === 'irreversible'
  ) {
    throw invalid(`${field}.decision`, 'allow', "'ask' or 'deny' for irreversible calls");
  }
  return Object.freeze({ ...rule });
}

function invalid(field: string, value: unknown, expected: string): GovernanceError {
  return new GovernanceError(
    'ERR_INVALID_OPTION',
    `invalid policy ${field}: ${String(value)} (expected ${expected})`,
    { field },
  );
}

/** Whether a freeze covers a call on these resources (every call, for a freeze without scopes). */
function covers(freeze: FreezeSwitch, scopes: readonly string[]): boolean {
  const prefixes = freeze.scopes;
  if (prefixes === undefined || scopes.length === 0) return true;
  return scopes.some((s) => prefixes.some((p) => s.startsWith(p)));
}
