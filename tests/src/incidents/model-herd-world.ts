/**
 * The world of the model thundering-herd replay, on a TestClock. 50 agents (processes of one
 * node) each need one answer from the same provider at the same instant. The provider (the
 * scripted model) allows 10 requests per one-second window and answers 429 with `Retry-After`
 * (whole seconds, as the header says it) beyond that; each answer takes 200 ms.
 *
 * The naive agents call the provider directly and retry every 429 after a fixed interval,
 * ignoring `Retry-After`. warden's agents call through `createResilientModel` on the node's one
 * `ModelPolicy`: a concurrency limit per provider, a node-wide pause on `Retry-After` with the
 * returns spread above it, and retries that honour it. The last row gives the limiter the
 * provider's published rate, as a user who knows their tier would. Each row is the mean of
 * `RUNS` seeded runs; everything is deterministic, so the table never changes by itself.
 */

import {
  createModelPolicy,
  createResilientModel,
  isModelCallError,
  type ModelClient,
  type ProviderLimits,
} from '@warden/agents';
import { createScriptedModel, seededRandom } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { type Jitter, retry } from '@warden/resilience';

export const MODEL_HERD = {
  agents: 50,
  /** The provider's limit: requests per fixed window. */
  requests: 10,
  windowMs: 1000,
  latencyMs: 200,
  runs: 5,
} as const;

export type HerdStrategyName = 'fixed100' | 'fixed1000' | 'warden' | 'wardenRate';

export const HERD_STRATEGIES: Record<HerdStrategyName, string> = {
  fixed100: 'naive: retry every 100 ms',
  fixed1000: 'naive: retry every 1 s',
  warden: 'warden policy, defaults',
  wardenRate: 'warden policy, published rate in `limits`',
};

export interface HerdOutcome {
  readonly calls: number;
  readonly rateLimited: number;
  readonly finishedMs: number;
  readonly served: number;
}

/** Timer firings a run may take before the test gives up on it. */
const MAX_STEPS = 200_000;

function naive(provider: ModelClient, clock: TestClock, intervalMs: number) {
  const policy = retry({
    clock,
    jitter: 'none' as Jitter,
    baseMs: intervalMs,
    maxDelayMs: intervalMs,
    maxAttempts: Number.POSITIVE_INFINITY,
    deadlineMs: 3_600_000,
    // a naive client: every 429 is worth another try, and Retry-After is not read
    classify: (error) => isModelCallError(error, 'rate_limited'),
  });
  return (signal: AbortSignal, i: number) =>
    policy.execute(({ signal: s }) => provider.generate(request(i, s)), { signal });
}

const request = (i: number, signal: AbortSignal) => ({
  messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: `agent ${i}` }] }],
  signal,
});

/** One run: 50 agent processes, one provider, one strategy. */
export async function modelHerd(strategy: HerdStrategyName, seed: number): Promise<HerdOutcome> {
  const clock = new TestClock();
  const node = createNode({ name: 'model-herd', clock });
  const provider = createScriptedModel({
    clock: node.clock,
    provider: 'acme',
    latencyMs: MODEL_HERD.latencyMs,
    rateLimit: { requests: MODEL_HERD.requests, windowMs: MODEL_HERD.windowMs },
    script: (r) => ({ text: `answer to ${JSON.stringify(r.messages[0]?.content)}` }),
  });
  let call: (signal: AbortSignal, i: number) => Promise<unknown>;
  if (strategy === 'fixed100') call = naive(provider, clock, 100);
  else if (strategy === 'fixed1000') call = naive(provider, clock, 1000);
  else {
    const published: ProviderLimits = {
      ratePerSecond: MODEL_HERD.requests / (MODEL_HERD.windowMs / 1000),
      burst: 1,
    };
    const policy = createModelPolicy({
      clock: node.clock,
      node,
      random: seededRandom(seed),
      ...(strategy === 'wardenRate' ? { limits: { acme: published } } : {}),
    });
    call = (signal, i) =>
      createResilientModel({ policy, primary: provider }).generate(request(i, signal));
  }
  let served = 0;
  let finishedMs = 0;
  for (let i = 0; i < MODEL_HERD.agents; i++) {
    node.spawn(async (ctx) => {
      await call(ctx.signal, i);
      served++;
      finishedMs = clock.now();
    });
  }
  await clock.settle();
  for (let step = 0; step < MAX_STEPS && served < MODEL_HERD.agents; step++) {
    if (!(await clock.advanceToNext())) break;
  }
  await node.stop();
  const rateLimited = provider.calls.filter((c) =>
    isModelCallError(c.error, 'rate_limited'),
  ).length;
  return { calls: provider.calls.length, rateLimited, finishedMs, served };
}

export interface HerdRow {
  readonly name: HerdStrategyName;
  readonly label: string;
  readonly calls: number;
  readonly rateLimited: number;
  readonly finishedMs: number;
  /** Agents served in every run. */
  readonly servedEveryRun: number;
}

export async function compareModelHerd(): Promise<HerdRow[]> {
  const rows: HerdRow[] = [];
  for (const name of Object.keys(HERD_STRATEGIES) as HerdStrategyName[]) {
    let calls = 0;
    let rateLimited = 0;
    let finishedMs = 0;
    let servedEveryRun: number = MODEL_HERD.agents;
    for (let seed = 1; seed <= MODEL_HERD.runs; seed++) {
      const run = await modelHerd(name, seed);
      calls += run.calls;
      rateLimited += run.rateLimited;
      finishedMs += run.finishedMs;
      servedEveryRun = Math.min(servedEveryRun, run.served);
    }
    const n = MODEL_HERD.runs;
    rows.push({
      name,
      label: HERD_STRATEGIES[name],
      calls: calls / n,
      rateLimited: rateLimited / n,
      finishedMs: finishedMs / n,
      servedEveryRun,
    });
  }
  return rows;
}

/** The comparison as the Markdown table of docs/agents/models.md. */
export function herdTable(rows: readonly HerdRow[]): string {
  const base = rows.find((r) => r.name === 'fixed100') as HerdRow;
  const lines = [
    '| agents retry with | calls to the provider | of which 429 | 429 vs every 100 ms | all served after |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    const versus =
      r === base
        ? 'baseline'
        : `${Math.round((100 * (r.rateLimited - base.rateLimited)) / base.rateLimited)}%`;
    lines.push(
      `| ${r.label} | ${Math.round(r.calls)} | ${Math.round(r.rateLimited)} | ${versus} | ${(r.finishedMs / 1000).toFixed(1)} s |`,
    );
  }
  return lines.join('\n');
}
