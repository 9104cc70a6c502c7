import { TestClock } from '@warden/core/testing';
import { FeatureFlags } from '@warden/resilience';
import { describe, expect, it } from 'vitest';
import { isGovernanceError } from '../../src/governance/governance-error.js';
import { Policy } from '../../src/governance/policy.js';

const call = (tool: string, effect: 'read' | 'write' | 'irreversible', scopes: string[] = []) => ({
  agent: 'ops',
  tool,
  effect,
  scopes,
});

describe('Policy', () => {
  it('allows reads and writes and denies irreversible calls when no rule matches', () => {
    const policy = new Policy();
    expect(policy.decide(call('a', 'read'))).toEqual({ decision: 'allow', by: 'default:read' });
    expect(policy.decide(call('a', 'write'))).toEqual({ decision: 'allow', by: 'default:write' });
    expect(policy.decide(call('a', 'irreversible'))).toEqual({
      decision: 'deny',
      by: 'default:irreversible',
    });
  });

  it('takes the first matching rule, by tool, effect, scope and agent', () => {
    const policy = new Policy({
      rules: [
        { id: 'no-prod', scopes: ['db:prod'], decision: 'deny' },
        { id: 'writes-ask', effects: ['write'], agents: ['ops'], decision: 'ask' },
      ],
    });
    expect(policy.decide(call('q', 'write', ['db:prod']))).toEqual({
      decision: 'deny',
      by: 'rule:no-prod',
    });
    expect(policy.decide(call('q', 'write', ['db:dev']))).toEqual({
      decision: 'ask',
      by: 'rule:writes-ask',
    });
    expect(policy.decide({ ...call('q', 'write'), agent: 'other' }).by).toBe('default:write');
  });

  it('never lets a rule wave an irreversible call through: allow becomes ask', () => {
    const policy = new Policy({ rules: [{ id: 'all', decision: 'allow' }] });
    expect(policy.decide(call('drop', 'irreversible'))).toEqual({
      decision: 'ask',
      by: 'rule:all',
    });
    const error = (() => {
      try {
        new Policy({ rules: [{ id: 'x', effects: ['irreversible'], decision: 'allow' }] });
      } catch (e) {
        return e;
      }
    })();
    expect(isGovernanceError(error, 'ERR_INVALID_OPTION')).toBe(true);
  });

  it('refuses malformed rules and unknown freeze flags, naming the field', () => {
    const clock = new TestClock();
    const flags = new FeatureFlags({ clock, flags: { freeze: false } });
    for (const [options, field] of [
      [{ rules: [{ id: '', decision: 'allow' }] }, 'rules.0.id'],
      [{ rules: [{ id: 'a', decision: 'maybe' }] }, 'rules.0.decision'],
      [{ rules: [{ id: 'a', decision: 'deny', effects: ['delete'] }] }, 'rules.0.effects'],
      [{ rules: [{ id: 'a', decision: 'deny', tools: 'x' }] }, 'rules.0.tools'],
    ] as const) {
      let error: unknown;
      try {
        new Policy(options as never);
      } catch (e) {
        error = e;
      }
      expect(isGovernanceError(error, 'ERR_INVALID_OPTION')).toBe(true);
      expect((error as { field: string }).field).toBe(field);
    }
    expect(() => new Policy({ freeze: [{ flags, flag: 'frezee' }] })).toThrow(/frezee/);
  });

  it('denies writes and irreversible calls while any freeze switch is on, reads still go', () => {
    const clock = new TestClock();
    const node = new FeatureFlags({ clock, flags: { freeze: false } });
    const tree = new FeatureFlags({ clock, flags: { 'billing-freeze': false } });
    const policy = new Policy({
      rules: [{ id: 'ask-all', decision: 'ask' }],
      freeze: [{ flags: node, flag: 'freeze' }],
    }).withFreeze([{ flags: tree, flag: 'billing-freeze' }]);
    expect(policy.decide(call('w', 'write')).decision).toBe('ask');
    tree.enable('billing-freeze');
    expect(policy.decide(call('w', 'write'))).toEqual({
      decision: 'deny',
      by: 'freeze:billing-freeze',
    });
    expect(policy.decide(call('r', 'read')).decision).toBe('ask');
    tree.disable('billing-freeze');
    node.enable('freeze');
    expect(policy.decide(call('x', 'irreversible'))).toEqual({
      decision: 'deny',
      by: 'freeze:freeze',
    });
    node.disable('freeze');
    expect(policy.decide(call('w', 'write')).decision).toBe('ask');
  });

  it('freezes only the resources a scoped freeze names, and every call that names none', () => {
    const clock = new TestClock();
    const flags = new FeatureFlags({ clock, flags: { 'prod-freeze': true } });
    const policy = new Policy({
      rules: [{ id: 'allow-all', decision: 'allow' }],
      freeze: [{ flags, flag: 'prod-freeze', scopes: ['db:production/'] }],
    });
    const on = (effect: 'write' | 'irreversible', scopes: string[]) =>
      policy.decide({ agent: 'a', tool: 't', effect, scopes });
    expect(on('irreversible', ['db:production/customers'])).toEqual({
      decision: 'deny',
      by: 'freeze:prod-freeze',
    });
    expect(on('write', ['mail:customer', 'db:production/orders']).decision).toBe('deny');
    expect(on('write', ['mail:customer'])).toEqual({ decision: 'allow', by: 'rule:allow-all' });
    // A call that says nothing of its resources could touch production: a freeze fails closed.
    expect(on('write', []).decision).toBe('deny');
    flags.disable('prod-freeze');
    expect(on('write', ['db:production/customers']).decision).toBe('allow');
    expect(() => new Policy({ freeze: [{ flags, flag: 'prod-freeze', scopes: [''] }] })).toThrow(
      /freeze.0.scopes/,
    );
  });
});
