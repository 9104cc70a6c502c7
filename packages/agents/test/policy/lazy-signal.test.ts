// The signal a client gets from the policy is made when the client reads it; a call whose client
// never reads it is still cut at its deadline and by its caller, and nothing of the policy
// outlives its node.
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createModelPolicy,
  createResilientModel,
  isModelCallError,
  type ModelClient,
  type ModelRequest,
  type ModelResponse,
} from '../../src/index.js';
import { createScriptedModel, faults } from '../../src/testing/index.js';
import { ask, settle, textOf, type World, world } from './world.js';

let w: World;
afterEach(() => w?.stop());

/** A client that never answers and never looks at the signal; it keeps what it was given. */
function deafClient(): ModelClient & { readonly requests: ModelRequest[] } {
  const requests: ModelRequest[] = [];
  return {
    provider: 'deaf',
    model: 'deaf-1',
    requests,
    generate(request) {
      requests.push(request);
      return new Promise<ModelResponse>(() => {});
    },
    stream() {
      throw new Error('not used');
    },
  };
}

/** Counts the AbortControllers made while `fn` runs. */
async function controllersMadeBy(fn: () => Promise<void>): Promise<number> {
  const Original = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Original {
    constructor() {
      super();
      made++;
    }
  };
  try {
    await fn();
  } finally {
    globalThis.AbortController = Original;
  }
  return made;
}

describe('the signal a client gets is made when it reads it', () => {
  it('makes no AbortController for calls whose client answers without reading it', async () => {
    w = world();
    const model = createResilientModel({
      node: w.node,
      primary: createScriptedModel({ clock: w.clock, script: { text: 'ok' } }),
    });
    const made = await controllersMadeBy(async () => {
      for (let i = 0; i < 50; i++) expect(textOf(await model.generate(ask(`q${i}`)))).toBe('ok');
    });
    expect(made).toBe(0);
  });

  it('cuts at its deadline a call whose client never read the signal; read later, it is aborted', async () => {
    w = world();
    const policy = createModelPolicy({
      clock: w.clock,
      retry: { maxAttempts: 1, deadlineMs: 10_000 },
    });
    const client = deafClient();
    const out = settle(policy.generate(client, ask('q'), new AbortController().signal));
    await w.clock.advance(9_999);
    expect(out.done).toBe(false);
    await w.clock.advance(1);
    expect(out.done).toBe(true);
    expect(out.error).toBeDefined();
    const request = client.requests[0] as ModelRequest;
    // an accessor of the request's class: a spread copy has no signal
    expect({ ...request }.signal).toBeUndefined();
    expect(request.messages).toEqual(ask('q').messages);
    const signal = request.signal as AbortSignal;
    expect(signal.aborted).toBe(true);
    expect((signal.reason as { code?: string }).code).toBe('ERR_RETRY_DEADLINE');
    expect(w.clock.pendingTimers).toBe(0);
  });

  it('cuts a call at once when its caller aborts, though the client never read the signal', async () => {
    w = world();
    const model = createResilientModel({ node: w.node, primary: deafClient(), queue: false });
    const caller = new AbortController();
    const out = settle(model.generate(ask('q', { signal: caller.signal })));
    await w.clock.settle();
    caller.abort('user left');
    await w.clock.settle();
    expect((out.error as { code?: string }).code).toBe('ERR_ABORTED');
    expect(model.policy.breaker('deaf').stats.consecutiveFailures).toBe(0);
  });

  it('gives back the slot and settles the permit of a call cut from a client that never settles', async () => {
    w = world();
    const policy = createModelPolicy({
      clock: w.clock,
      retry: { maxAttempts: 1, deadlineMs: 1_000 },
      limits: { deaf: { concurrency: 2 } },
    });
    const client = deafClient();
    const limiter = policy.limiter('deaf');
    const first = settle(policy.generate(client, ask('q1'), new AbortController().signal));
    const caller = new AbortController();
    const second = settle(policy.generate(client, ask('q2'), caller.signal));
    await w.clock.settle();
    expect(limiter.concurrency.running).toBe(2);
    caller.abort('user left');
    await w.clock.settle();
    // a caller's abort is not the provider's failure: its slot is back, no failure counted
    expect(second.done).toBe(true);
    expect(limiter.concurrency.running).toBe(1);
    expect(policy.breaker('deaf').stats.consecutiveFailures).toBe(0);
    await w.clock.advance(1_000);
    // the deadline: the provider did not answer in time, which its breaker counts
    expect(first.done).toBe(true);
    expect(limiter.concurrency.running).toBe(0);
    expect(policy.breaker('deaf').stats.consecutiveFailures).toBe(1);
    expect(w.clock.pendingTimers).toBe(0);
  });

  it('hands a client that reads the signal mid-call one the deadline aborts', async () => {
    w = world();
    const model = createScriptedModel({
      clock: w.clock,
      script: { text: 'late' },
      faults: [{ calls: [0], effect: faults.hang() }],
    });
    const policy = createModelPolicy({ clock: w.clock, retry: { deadlineMs: 5_000 } });
    const out = settle(policy.generate(model, ask('q'), new AbortController().signal));
    await w.clock.advance(5_000);
    expect(out.done).toBe(true);
    expect(model.calls[0]?.outcome).toBe('aborted');
    // the provider did not answer in time: that counts against its breaker
    expect(policy.breaker('scripted').stats.consecutiveFailures).toBe(1);
    expect(w.clock.pendingTimers).toBe(0);
  });
});

describe('the policy and its node', () => {
  it('leaves no timer and no listener after node.stop(), with a call in flight', async () => {
    w = world();
    const model = createResilientModel({ node: w.node, primary: deafClient(), queue: false });
    const caller = new AbortController();
    const out = settle(model.generate(ask('q', { signal: caller.signal })));
    await w.clock.settle();
    expect(w.clock.pendingTimers).toBeGreaterThan(0);
    await w.stop();
    await w.clock.settle();
    expect(out.done).toBe(true);
    expect(isModelCallError(out.error, 'unknown')).toBe(true);
    expect((out.error as { providerCode?: string }).providerCode).toBe('closed');
    expect(w.clock.pendingTimers).toBe(0);
    expect(getEventListeners(caller.signal, 'abort')).toHaveLength(0);
    const later = settle(model.generate(ask('after')));
    await w.clock.settle();
    expect(isModelCallError(later.error, 'unknown')).toBe(true);
    expect((later.error as { providerCode?: string }).providerCode).toBe('closed');
    expect(w.clock.pendingTimers).toBe(0);
  });

  it('holds no timer once its calls are done, however many passed', async () => {
    w = world();
    const model = createResilientModel({
      node: w.node,
      primary: createScriptedModel({ clock: w.clock, script: { text: 'ok' } }),
    });
    for (let i = 0; i < 40; i++) await model.generate(ask(`q${i}`));
    await w.clock.settle();
    expect(w.clock.pendingTimers).toBe(0);
  });
});
