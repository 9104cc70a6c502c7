/**
 * The code examples of the "Failure handling" sections of docs/agents/models.md, as regions that
 * run and pass (docs-examples.test.ts checks that each docs block equals its region).
 */

import {
  createModelPolicy,
  createResilientModel,
  isModelCallError,
  type ModelRequest,
  type ModelResponse,
  STATIC_MODEL,
} from '@warden/agents';
import { createScriptedModel, credentialsExpireAt, faults, outage } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

const messages: ModelRequest['messages'] = [
  { role: 'user', content: [{ type: 'text', text: 'Summarise the incident report.' }] },
];

describe('model failure handling docs examples', () => {
  it('a resilient model over a primary and a fallback (models.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const primaryModel = createScriptedModel({
      clock,
      provider: 'openai',
      script: { text: 'summary' },
      faults: [outage(0, 60_000)],
    });
    const fallbackModel = createScriptedModel({
      clock,
      provider: 'anthropic',
      script: { text: 'summary from the fallback' },
    });
    const signal = new AbortController().signal;
    const agent = async () => {
      // #region model-resilient
      const model = createResilientModel({
        node, // the node's clock, its event stream and its one policy
        primary: primaryModel,
        fallbacks: [fallbackModel],
        staticAnswer: 'The assistant is degraded right now; please try again in a few minutes.',
      });
      const response = await model.generate({ messages, signal });
      // a 502 is retried; when retries give up, the fallback answers
      // response.model: the model that answered; model.level: the best rung that serves now
      // #endregion
      return response;
    };
    const promise = agent();
    await clock.advance(10_000);
    expect((await promise).content).toEqual([{ type: 'text', text: 'summary from the fallback' }]);
    expect(primaryModel.calls).toHaveLength(4);
    await node.stop();
  });

  it('limits per provider, shared by the node (models.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region model-policy-limits
    const policy = createModelPolicy({
      clock: node.clock,
      node,
      limits: {
        openai: { concurrency: 50, ratePerSecond: 500 / 60, burst: 10 }, // your tier: 500 RPM
        '*': { concurrency: 10 },
      },
    });
    // every agent of the node passes the same policy: one limiter and one breaker per provider
    const model = createResilientModel({ policy, primary: openai });
    // #endregion
    expect(policy.limiter('openai').concurrency.maxConcurrent).toBe(50);
    expect(policy.limiter('mistral').concurrency.maxConcurrent).toBe(10);
    expect(model.policy).toBe(policy);
    await node.stop();
  });

  it('the scripted model with a fault schedule (models.md)', async () => {
    const clock = new TestClock();
    // #region model-scripted
    const model = createScriptedModel({
      clock, // a TestClock: latency, outages and deadlines run in virtual time
      script: (request) => ({ text: `echo ${request.messages.length}` }),
      faults: [
        { calls: [0, 1], effect: faults.rateLimited(2000) }, // the first two calls: 429
        { probability: 0.1, effect: faults.serverError(502) }, // seeded
        outage(60_000, 660_000), // 502s for ten virtual minutes
        credentialsExpireAt(3_600_000), // 401 from the first hour on
      ],
      rateLimit: { requests: 10, windowMs: 1000 }, // 429 with Retry-After beyond it
      contextWindow: 8000, // context_length past it (estimateInputTokens)
      seed: 42,
    });
    // #endregion
    const first = await model.generate({ messages }).catch((e: unknown) => e);
    expect(first).toMatchObject({ kind: 'rate_limited', retryAfterMs: 2000 });
  });

  it('the agent compacts on context_length and retries once (models.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const small = createScriptedModel({ clock, script: { text: 'ok' }, contextWindow: 30 });
    const model = createResilientModel({ node, primary: small });
    const long: ModelRequest['messages'] = [
      ...Array.from({ length: 5 }, () => messages[0] as ModelRequest['messages'][number]),
    ];
    const compact = (m: ModelRequest['messages']) => m.slice(-1);
    const signal = new AbortController().signal;
    let response: ModelResponse;
    const conversation = long;
    // #region model-context-length
    try {
      response = await model.generate({ messages: conversation, signal });
    } catch (error) {
      if (!isModelCallError(error, 'context_length')) throw error; // the agent exits
      // never retried by the policy, never counted against the provider: compact, then once more
      response = await model.generate({ messages: compact(conversation), signal });
    }
    // #endregion
    expect(response.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(small.calls.map((c) => c.outcome)).toEqual(['failed', 'answered']);
    expect(response.model).not.toBe(STATIC_MODEL);
    await node.stop();
  });
});

const openai = createScriptedModel({
  clock: new TestClock(),
  provider: 'openai',
  script: { text: 'ok' },
});
