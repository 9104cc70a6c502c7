import { defineActor } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CallerFields } from '../../src/tools/call-context.js';
import { type DeadlineEnv, runWithDeadline } from '../../src/tools/run-with-deadline.js';
import type { ToolContext } from '../../src/tools/tool.js';
import { defineTool } from '../../src/tools/tool.js';
import { isToolError } from '../../src/tools/tool-error.js';
import { agentWorld, outcomeOf } from '../agent/agent-world.js';

type Run = (input: unknown, ctx: ToolContext) => unknown;

function world(run: Run, timeout = 1_000, extra?: object) {
  const { clock, node } = agentWorld();
  const agent = node.spawn(defineActor({ init: () => ({}) }));
  const task = new AbortController();
  const tool = defineTool({
    name: 'probe',
    description: 'a probe',
    effect: 'read',
    timeout,
    input: z.object({}),
    run: (input, ctx) => run(input, ctx),
  });
  const spawnAgent = () => Promise.reject(new Error('no subagents here'));
  // An agent's own context (`CallerFields`), or a caller's object with fields of its own.
  const context =
    extra === undefined
      ? new CallerFields('k', node, agent, 't', spawnAgent)
      : { idempotencyKey: 'k', node, agent, threadId: 't', spawnAgent, ...extra };
  const env: DeadlineEnv = { clock, signal: task.signal, context };
  const call = () => outcomeOf(runWithDeadline(tool, {}, 'c1', env));
  return { clock, task, call };
}

function codeOf(error: unknown): string | undefined {
  return isToolError(error) ? error.code : undefined;
}

describe('runWithDeadline', () => {
  it('answers with what a synchronous run returns and leaves no timer behind', async () => {
    const { clock, call } = world(() => ({ ok: 1 }));
    const result = call();
    await clock.settle();
    expect(result.value()).toEqual({ ok: 1 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('rejects with what a synchronous run throws', async () => {
    const boom = new Error('boom');
    const { clock, call } = world(() => {
      throw boom;
    });
    const result = call();
    await clock.settle();
    expect(result.error()).toBe(boom);
  });

  it('times an asynchronous run out at its deadline, aborting its signal with the timeout', async () => {
    let seen: ToolContext | undefined;
    const { clock, call } = world((_input, ctx) => {
      seen = ctx;
      return new Promise(() => {});
    }, 5_000);
    const result = call();
    await clock.advance(4_999);
    expect(result.settled()).toBe(false);
    expect(seen?.deadline).toBe(5_000);
    await clock.advance(1);
    expect(codeOf(result.error())).toBe('ERR_TOOL_TIMEOUT');
    expect(seen?.signal.aborted).toBe(true);
    expect(seen?.signal.reason).toBe(result.error());
    expect(clock.pendingTimers).toBe(0);
  });

  it('abandons an asynchronous run when the task aborts, its signal aborted with the reason', async () => {
    let signal: AbortSignal | undefined;
    let heard = false;
    const { clock, task, call } = world((_input, ctx) => {
      signal = ctx.signal;
      signal.addEventListener('abort', () => {
        heard = true;
      });
      return new Promise(() => {});
    });
    const result = call();
    await clock.settle();
    const reason = new Error('cancelled');
    task.abort(reason);
    await clock.settle();
    expect(heard).toBe(true);
    expect(signal?.reason).toBe(reason);
    expect(codeOf(result.error())).toBe('ERR_TOOL_FAILED');
    expect(clock.pendingTimers).toBe(0);
  });

  it('abandons a run that never reads its signal when the task aborts', async () => {
    let finish: (value: string) => void = () => {};
    const { clock, task, call } = world(
      () =>
        new Promise<string>((resolve) => {
          finish = resolve;
        }),
    );
    const result = call();
    await clock.settle();
    task.abort();
    finish('late');
    await clock.settle();
    expect(codeOf(result.error())).toBe('ERR_TOOL_FAILED');
  });

  it('settles as aborted when the task aborts while a synchronous run is under way', async () => {
    let during: boolean | undefined;
    let reason: unknown;
    const { clock, task, call } = world((_input, ctx) => {
      task.abort(new Error('killed'));
      during = ctx.signal.aborted;
      reason = ctx.signal.reason;
      return 'ran';
    });
    const result = call();
    await clock.settle();
    expect(during).toBe(true);
    expect((reason as Error).message).toBe('killed');
    expect(codeOf(result.error())).toBe('ERR_TOOL_FAILED');
  });

  it('aborts a signal read before the task aborts, at the moment it aborts', async () => {
    let aborted: boolean | undefined;
    const { clock, task, call } = world((_input, ctx) => {
      const signal = ctx.signal;
      task.abort();
      aborted = signal.aborted;
      return 'ran';
    });
    const result = call();
    await clock.settle();
    expect(aborted).toBe(true);
    expect(codeOf(result.error())).toBe('ERR_TOOL_FAILED');
  });

  it('never aborts the signal of a call that settled, whatever the task does after', async () => {
    let kept: ToolContext | undefined;
    const { clock, task, call } = world((_input, ctx) => {
      kept = ctx;
      return 'done';
    });
    const result = call();
    await clock.settle();
    expect(result.value()).toBe('done');
    task.abort();
    expect(kept?.signal.aborted).toBe(false);
  });

  it('gives the tool every field of the context, its own and those a caller added', async () => {
    const tag = Symbol('tag');
    const seen: Record<string | symbol, unknown>[] = [];
    const copy = (_input: unknown, ctx: ToolContext) => {
      seen.push({ ...ctx });
      return 'ok';
    };
    for (const extra of [undefined, {}, { tenant: 'acme' }, { [tag]: 1 }]) {
      const { clock, call } = world(copy, 1_000, extra);
      call();
      await clock.settle();
    }
    const fields = ['idempotencyKey', 'node', 'agent', 'threadId', 'spawnAgent'];
    const own = ['signal', 'deadline', 'now', 'callId'];
    // In the order a spread of the caller's context followed by the call's own fields gives.
    expect(Object.keys(seen[0] ?? {})).toEqual([...fields, ...own]);
    expect(Object.keys(seen[1] ?? {})).toEqual([...fields, ...own]);
    expect(Object.keys(seen[2] ?? {})).toEqual([...fields, 'tenant', ...own]);
    expect(seen[2]?.tenant).toBe('acme');
    expect(seen[3]?.[tag]).toBe(1);
    for (const ctx of seen) expect(ctx.signal).toBeInstanceOf(AbortSignal);
  });

  it('abandons an asynchronous run at once when the task aborts before run is called', async () => {
    let ran = false;
    const { clock, task, call } = world(() => {
      ran = true;
      return new Promise(() => {});
    });
    const result = call();
    task.abort(); // after the call started, before its run (a microtask away)
    await clock.settle();
    expect(ran).toBe(true);
    expect(codeOf(result.error())).toBe('ERR_TOOL_FAILED');
    expect(clock.pendingTimers).toBe(0);
  });

  it('does not run a call whose task was aborted before it started', async () => {
    let ran = false;
    const { clock, task, call } = world(() => {
      ran = true;
      return 'ran';
    });
    task.abort();
    const result = call();
    await clock.settle();
    expect(ran).toBe(false);
    expect(codeOf(result.error())).toBe('ERR_TOOL_FAILED');
  });
});
