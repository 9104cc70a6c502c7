/**
 * Code examples of the @warden/machines docs (docs/patterns/circuit-breaker.md,
 * docs/agent-lifecycle.md), each between `// #region name` and `// #endregion`. Like
 * examples.test.ts, docs-examples.test.ts checks that each docs block matches its region.
 */
import { type ActorContext, createNode, type Pid, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import {
  agentLifecycleMachine,
  breakerActor,
  breakerMachine,
  CircuitBreaker,
  callThroughBreaker,
  fromMachine,
  getSnapshot,
  inspectMachines,
  isMachinesError,
  sendEvent,
} from '@warden/machines';
import { describe, expect, it } from 'vitest';

const search = async (query: string, signal: AbortSignal): Promise<string[]> => {
  if (signal.aborted) throw signal.reason;
  if (query === 'down') throw new Error('search is down');
  return [query];
};

describe('machines docs examples', () => {
  it('a breaker trips and fails fast (circuit-breaker.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region breaker-basic
    const breaker = new CircuitBreaker({
      name: 'search',
      clock: node.clock,
      failure: { kind: 'consecutive', threshold: 3 },
      openTimeout: { initialMs: 10_000 },
    });
    for (let i = 0; i < 3; i++) {
      await breaker.execute((signal) => search('down', signal)).catch(() => {});
    }
    expect(breaker.state).toBe('open');
    // While open, calls fail fast without running, and say when to come back.
    const error = await breaker.execute((signal) => search('cats', signal)).catch((e) => e);
    expect(isMachinesError(error, 'ERR_BREAKER_OPEN')).toBe(true);
    expect(error.retryAt).toBe(clock.now() + 10_000);
    // #endregion
    // #region breaker-probe
    // After the open timeout, one trial call probes the dependency; its success closes the breaker.
    await clock.advance(10_000);
    expect(breaker.state).toBe('half_open');
    expect(await breaker.execute((signal) => search('cats', signal))).toEqual(['cats']);
    expect(breaker.state).toBe('closed');
    // #endregion
  });

  it('a rate policy with a call timeout and growing open timeouts (circuit-breaker.md)', async () => {
    const clock = new TestClock();
    // #region breaker-policy
    const breaker = new CircuitBreaker({
      clock,
      // Trip when half of the calls of the last 60 s failed, once 20 calls were seen.
      failure: { kind: 'time-window', windowMs: 60_000, buckets: 6, rate: 0.5, minimumCalls: 20 },
      // Let 3 trial calls through in half-open; 2 successes close the breaker.
      halfOpen: { trialCalls: 3, successesToClose: 2 },
      // 5 s, then 10 s, 20 s, ... up to 5 min, each shortened by up to 20 %; back to 5 s after
      // 2 min closed.
      openTimeout: {
        initialMs: 5000,
        multiplier: 2,
        maxMs: 300_000,
        jitter: 0.2,
        resetAfterMs: 120_000,
      },
      // A call slower than 2 s fails, and its signal aborts.
      callTimeoutMs: 2000,
    });
    // #endregion
    expect(breaker.policy.failure.kind).toBe('time-window');
  });

  it('a shared breaker actor (circuit-breaker.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region breaker-actor
    node.spawn(breakerActor({ name: 'search', failure: { threshold: 5 } }), {
      name: 'search-breaker',
    });
    const worker = async (ctx: ActorContext, query: string) => {
      // The search runs here, in the worker; the breaker actor only grants the permit.
      const lookup = (signal: AbortSignal) => search(query, signal);
      const hits = await callThroughBreaker(ctx, 'search-breaker', lookup, { fallback: () => [] });
      ctx.send('results', hits);
    };
    node.spawn(worker, { args: 'cats' });
    // #endregion
    const results: unknown[] = [];
    node.register(
      'results',
      node.spawn(async (ctx) => results.push(await ctx.receive())),
    );
    await clock.settle();
    expect(results).toEqual([['cats']]);
  });

  it('the breaker statechart as an inspectable actor (circuit-breaker.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region breaker-machine
    const seen: string[] = [];
    inspectMachines(node, (event) => {
      if (event.type === 'xstate.snapshot') seen.push(String(event.value));
    });
    const model = node.spawn(fromMachine(breakerMachine), {
      args: { options: { failure: { threshold: 1 }, openTimeout: { initialMs: 500 } } },
    });
    await sendEvent(node, model, { type: 'breaker.acquire', now: clock.now() });
    await sendEvent(node, model, { type: 'breaker.failure', now: clock.now(), epoch: 0 });
    await clock.advance(500); // the machine's `after` transition runs on the node's clock
    expect((await getSnapshot(node, model)).value).toBe('half_open');
    expect(seen).toEqual(['closed', 'closed', 'open', 'half_open']);
    // #endregion
  });

  it('the lifecycle refuses nonsense (agent-lifecycle.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region lifecycle
    await startSupervisor(node, {
      children: [
        {
          id: 'agent',
          start: (ctx) => ctx.spawnLink(fromMachine(agentLifecycleMachine), { name: 'agent' }),
        },
      ],
    });
    await sendEvent(node, 'agent', { type: 'agent.task' });
    await sendEvent(node, 'agent', { type: 'agent.act', toolCalls: 1 });
    await sendEvent(node, 'agent', { type: 'agent.approval_required' });
    // No tool result while the approval is pending: the event changes nothing.
    expect(await sendEvent(node, 'agent', { type: 'agent.observe' })).toMatchObject({
      value: 'awaiting_approval',
    });
    // A failure is final: the machine ends and its process exits `normal`; the supervisor decides.
    expect(
      await sendEvent(node, 'agent', { type: 'agent.failed', reason: 'denied' }),
    ).toMatchObject({
      status: 'done',
      value: 'failed',
    });
    // #endregion
  });

  it('an agent lifecycle run as an actor (agent-lifecycle.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    // #region lifecycle-actor
    const agent: Pid = node.spawn(fromMachine(agentLifecycleMachine), { args: { maxLevel: 2 } });
    node.send(agent, { type: 'agent.task' });
    node.send(agent, { type: 'agent.act', toolCalls: 2 });
    node.send(agent, { type: 'agent.approval_required' });
    node.send(agent, { type: 'agent.act', toolCalls: 5 }); // ignored: awaiting approval
    expect(await getSnapshot(node, agent)).toMatchObject({
      value: 'awaiting_approval',
      context: { steps: 1, toolCalls: 2 },
    });
    // #endregion
  });
});
