import {
  createResilientModel,
  type ModelClient,
  ModelPolicy,
  type ModelRequest,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { systemClock } from '@warden/core';
import { expectEqual } from '../check.js';
import type { Case, Metric, Sample, Workload } from '../workload.js';
import { scaled } from '../workload.js';

/**
 * What the failure policy adds to a call that succeeds: `createResilientModel` (retry budget,
 * the provider's token bucket and concurrency limit, its breaker, the degradation ladder) around
 * the scripted model, against calling the same scripted model directly. The scripted model
 * answers at once (no latency, no faults), so what is measured is the policy's bookkeeping.
 * The provider's token bucket is raised from its default 50 requests a second to a million (its
 * burst as much) so that no call waits for a token: the bucket is still taken from on every call,
 * but a benchmark of 50,000 calls would otherwise measure the rate limit.
 *
 * Each run times N direct calls, N calls through the policy, then N direct calls again, each
 * loop on a fresh scripted model (its call log grows with every call), and reports µs per call
 * through the policy and the µs it adds over the mean of the two direct loops of that run (raw's
 * middle loop is direct too: its `added` is the noise of the method).
 *
 * - `models-policy-overhead`: the policy with its defaults, the response cache included (every
 *   answer is stored under the request's canonical hash, for the cache rung).
 * - `models-policy-overhead/no-cache`: the same with `cache: false`, so the hashing is apart.
 */
export const modelsPolicyOverhead: Workload = {
  name: 'models-policy-overhead',
  title: 'Model policy overhead: createResilientModel around a scripted model that answers at once',
  cases(scale: number): Case[] {
    const n = scaled(50_000, scale, 50);
    return [
      {
        id: 'models-policy-overhead',
        params: `${n} generate calls; createResilientModel defaults (cache on) vs the scripted model`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () => measure(n, directLoop),
          warden: () => measure(n, () => policyLoop(true)),
        },
      },
      {
        id: 'models-policy-overhead/no-cache',
        params: `${n} generate calls; createResilientModel with cache: false`,
        metrics: METRICS,
        ops: n,
        run: {
          raw: () => measure(n, directLoop),
          warden: () => measure(n, () => policyLoop(false)),
        },
      },
    ];
  },
};

const METRICS: readonly Metric[] = [
  { key: 'us', unit: 'µs', label: 'per call' },
  { key: 'added', unit: 'µs', label: 'added' },
];

const ANSWER = 'ok';

const REQUEST: ModelRequest = {
  system: 'You answer in one word.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Say ok.' }] }],
  maxOutputTokens: 16,
};

const PROVIDER = 'scripted';
const UNTHROTTLED = 1_000_000;

function scripted(): ModelClient {
  return createScriptedModel({ clock: systemClock, provider: PROVIDER, script: { text: ANSWER } });
}

/** `n` calls one after the other; resolves with the number of correct answers. */
type Loop = (n: number) => Promise<number>;

function isAnswer(content: readonly { type: string; text?: string }[]): boolean {
  return content.length === 1 && content[0]?.text === ANSWER;
}

function directLoop(): Loop {
  const model = scripted();
  return async (n) => {
    let ok = 0;
    for (let i = 0; i < n; i++) if (isAnswer((await model.generate(REQUEST)).content)) ok++;
    return ok;
  };
}

function policyLoop(cache: boolean): Loop {
  const policy = new ModelPolicy({
    clock: systemClock,
    limits: { [PROVIDER]: { ratePerSecond: UNTHROTTLED, burst: UNTHROTTLED } },
  });
  const model = createResilientModel({
    policy,
    primary: scripted(),
    ...(cache ? {} : { cache: false as const }),
  });
  return async (n) => {
    let ok = 0;
    try {
      for (let i = 0; i < n; i++) if (isAnswer((await model.generate(REQUEST)).content)) ok++;
      expectEqual('ladder level after successful calls', model.level ?? 'primary', 'primary');
    } finally {
      model.close();
    }
    return ok;
  };
}

/** µs per call of a fresh loop over `n` calls, after checking every answer. */
async function timed(make: () => Loop, n: number): Promise<number> {
  const loop = make();
  const start = performance.now();
  const ok = await loop(n);
  const us = ((performance.now() - start) * 1e3) / n;
  expectEqual('correct answers', ok, n);
  return us;
}

async function measure(n: number, contender: () => Loop): Promise<Sample> {
  const before = await timed(directLoop, n);
  const us = await timed(contender, n);
  const after = await timed(directLoop, n);
  return { us, added: us - (before + after) / 2 };
}
