import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAgentError } from '../../src/agent/agent-error.js';
import { type BudgetLimits, BudgetMeter, type BudgetName } from '../../src/agent/budget.js';
import { costOf } from '../../src/agent/price-table.js';

const PRICES = { 'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10, cacheReadPerMTok: 1.25 } };

describe('budgets', () => {
  it('allows exactly the step limit and refuses one more, naming the figures', () => {
    const meter = new BudgetMeter({ steps: 2 }, PRICES, 0);
    meter.admit('steps');
    meter.chargeStep();
    meter.admit('steps');
    meter.chargeStep();
    let error: unknown;
    try {
      meter.admit('steps');
    } catch (e) {
      error = e;
    }
    expect(isAgentError(error, 'ERR_BUDGET_EXCEEDED')).toBe(true);
    expect((error as { detail: unknown }).detail).toEqual({ budget: 'steps', limit: 2, spent: 3 });
  });

  it('reports a token budget crossed by a model call', () => {
    const meter = new BudgetMeter({ tokens: 1000 }, PRICES, 0);
    meter.chargeModel('gpt-4o', { inputTokens: 900, outputTokens: 50 });
    expect(meter.breach(0)).toBeUndefined();
    meter.chargeModel('gpt-4o', { inputTokens: 40, outputTokens: 20 });
    expect(meter.breach(0)).toEqual({ budget: 'tokens', limit: 1000, spent: 1010 });
    expect(() => meter.check(0)).toThrow(/budget tokens exceeded: spent 1010 of 1000/);
  });

  it('prices cached input at the cache price and the rest at the input price', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cacheReadTokens: 400_000 };
    // 600k plain input at 2.5, 400k cached at 1.25, 100k output at 10.
    expect(costOf(PRICES, 'gpt-4o', usage)).toBeCloseTo(1.5 + 0.5 + 1, 10);
  });

  it('counts a model without a price as unpriced instead of free and silent', () => {
    const meter = new BudgetMeter({ costUsd: 1 }, PRICES, 0);
    meter.chargeModel('gpt-4o-typo', { inputTokens: 10_000_000, outputTokens: 0 });
    expect(meter.spent(0).costUsd).toBe(0);
    expect(meter.spent(0).unpriced).toEqual(['gpt-4o-typo']);
  });

  it('ends on wall time measured on the given clock, also across a resume', () => {
    const meter = new BudgetMeter({ wallMs: 60_000 }, PRICES, 1_000);
    expect(meter.breach(61_000)).toBeUndefined();
    expect(meter.breach(61_001)?.budget).toBe('wallMs');
    const resumed = new BudgetMeter({ wallMs: 60_000 }, PRICES, 500_000, meter.spent(31_000));
    expect(resumed.spent(500_000).wallMs).toBe(30_000);
    expect(resumed.breach(530_001)?.budget).toBe('wallMs');
  });

  it('reports the first budget crossed in a fixed order, and admits up to each limit', () => {
    // The definition, spelled out: every budget in order, the first whose figure is over.
    const order: readonly BudgetName[] = [
      'steps',
      'tokens',
      'inputTokens',
      'outputTokens',
      'costUsd',
      'wallMs',
      'toolCalls',
      'subagents',
    ];
    const limit = fc.option(fc.nat(6), { nil: undefined });
    const limitsArb = fc.record(Object.fromEntries(order.map((b) => [b, limit])), {
      requiredKeys: [],
    }) as fc.Arbitrary<BudgetLimits>;
    const charge = fc.constantFrom('step', 'tool', 'subagent', 'model');
    fc.assert(
      fc.property(
        limitsArb,
        fc.array(charge, { maxLength: 12 }),
        fc.nat(8),
        (limits, charges, now) => {
          const meter = new BudgetMeter(limits, PRICES, 0);
          const used = { steps: 0, toolCalls: 0, subagents: 0, inputTokens: 0, outputTokens: 0 };
          for (const c of charges) {
            const budget = c === 'step' ? 'steps' : c === 'tool' ? 'toolCalls' : 'subagents';
            if (c === 'model') {
              meter.chargeModel('gpt-4o', { inputTokens: 2, outputTokens: 1 });
              used.inputTokens += 2;
              used.outputTokens += 1;
              continue;
            }
            const cap = limits[budget];
            const refused = (() => {
              try {
                meter.admit(budget);
                return false;
              } catch (error) {
                return isAgentError(error, 'ERR_BUDGET_EXCEEDED');
              }
            })();
            expect(refused).toBe(cap !== undefined && used[budget] + 1 > cap);
            if (c === 'step') meter.chargeStep();
            else if (c === 'tool') meter.chargeToolCall();
            else meter.chargeSubagent();
            used[budget]++;
          }
          const spent = meter.spent(now);
          const figure = (b: BudgetName): number =>
            b === 'tokens' ? spent.inputTokens + spent.outputTokens : (spent[b] as number);
          const first = order.find(
            (b) => limits[b] !== undefined && figure(b) > (limits[b] as number),
          );
          expect(meter.breach(now)).toEqual(
            first === undefined
              ? undefined
              : { budget: first, limit: limits[first], spent: figure(first) },
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
