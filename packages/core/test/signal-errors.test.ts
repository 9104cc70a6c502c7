import { describe, expect, it } from 'vitest';
import {
  createNode,
  defineActor,
  noreply,
  type Pid,
  shutdownWith,
  withoutStack,
} from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

/** A server that never answers: a call to it waits until the server exits or the node stops. */
const silent = defineActor<undefined, undefined>({
  init: () => undefined,
  handleCall: (_request, _from, state) => noreply(state),
});

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

describe('errors the runtime delivers as news', () => {
  it('gives a caller whose server exited during the call an ERR_EXIT with its first line as its stack', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const server = node.spawn(silent);
    const call = rejection(node.call(server, 'hello'));
    await clock.settle();
    node.exit(server, shutdownWith('boom'));
    const error = await call;
    expect(error).toMatchObject({ code: 'ERR_EXIT', reason: shutdownWith('boom') });
    expect(error.stack).toBe(`WardenError: ${error.message}`);
  });

  it("aborts an exited process's signal with a stackless ERR_ABORTED carrying the reason", async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    let signal: AbortSignal | undefined;
    const pid: Pid = node.spawn(async (ctx) => {
      signal = ctx.signal;
      await ctx.receive(() => true);
    });
    await clock.settle();
    node.exit(pid, 'kill');
    expect(signal?.reason).toMatchObject({ code: 'ERR_ABORTED', reason: 'killed' });
    expect(signal?.reason.stack).toBe(`WardenError: ${signal?.reason.message}`);
  });

  it('rejects the calls a stopping node holds with a stackless ERR_NODE_STOPPED', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const call = rejection(node.call(node.spawn(silent), 'hello'));
    await clock.settle();
    await node.stop();
    const error = await call;
    expect(error.code).toBe('ERR_NODE_STOPPED');
    expect(error.stack).toBe(`WardenError: ${error.message}`);
    expect(node.signal.reason).toBe(error);
  });

  it("rejects a call its caller's signal aborts with ERR_ABORTED carrying the reason, without a stack", async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const controller = new AbortController();
    const reason = new Error('the user gave up');
    const call = rejection(node.call(node.spawn(silent), 'hello', { signal: controller.signal }));
    await clock.settle();
    controller.abort(reason);
    const error = await call;
    expect(error).toMatchObject({ code: 'ERR_ABORTED', cause: reason });
    expect(error.stack).toBe(`WardenError: ${error.message}`);
    // Aborted before the call: thrown at the caller's line, which its stack names.
    const early = await rejection(
      node.call(node.spawn(silent), 'hello', { signal: controller.signal }),
    );
    expect(early.code).toBe('ERR_ABORTED');
    expect(early.stack).toContain('signal-errors.test.ts');
  });

  it("keeps the stack of an error thrown at a caller's misuse, and the stack limit as it was", async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const limit = Error.stackTraceLimit;
    const error = await rejection(node.call(node.spawn(silent), 'hello', { timeout: -1 }));
    expect(error.code).toBe('ERR_INVALID_ARGUMENT');
    expect(error.stack).toContain('signal-errors.test.ts');
    await node.stop();
    const stopped = await rejection(node.call('anyone', 'hello'));
    expect(stopped.code).toBe('ERR_NODE_STOPPED');
    expect(stopped.stack).toContain('signal-errors.test.ts');
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it('makes an error without a stack through withoutStack, and restores the limit even if making it throws', () => {
    const limit = Error.stackTraceLimit;
    const error = withoutStack(() => new Error('news'));
    expect(error.stack).toBe('Error: news');
    expect(Error.stackTraceLimit).toBe(limit);
    expect(() =>
      withoutStack(() => {
        throw new Error('broken');
      }),
    ).toThrow('broken');
    expect(Error.stackTraceLimit).toBe(limit);
  });
});
