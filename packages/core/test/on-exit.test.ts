// ctx.onExit: told of the process's end, with the error its signal aborts with, without making
// the AbortSignal.
import { describe, expect, it } from 'vitest';
import { type ActorContext, createNode, type Pid, type WardenError } from '../src/index.js';
import { TestClock } from '../src/testing/index.js';

function waiting(setup: (ctx: ActorContext) => void) {
  return async (ctx: ActorContext) => {
    setup(ctx);
    await ctx.receive(() => true);
  };
}

describe('ctx.onExit', () => {
  it("calls its listener once at the exit, with the error the process's signal aborts with", async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const order: string[] = [];
    const seen: WardenError[] = [];
    let signal: AbortSignal | undefined;
    const pid: Pid = node.spawn(
      waiting((ctx) => {
        signal = ctx.signal;
        signal.addEventListener('abort', () => order.push('signal'));
        ctx.onExit((error) => {
          order.push('onExit');
          seen.push(error);
        });
      }),
    );
    await clock.settle();
    node.exit(pid, 'kill');
    await clock.settle();
    expect(order).toEqual(['signal', 'onExit']);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(signal?.reason);
    expect(seen[0]).toMatchObject({ code: 'ERR_ABORTED', reason: 'killed' });
    await node.stop();
  });

  it('is told of a normal end and of a node stop alike, and not after its removal', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const told: string[] = [];
    node.spawn(
      waiting((ctx) => {
        ctx.onExit((error) => told.push(`kept: ${String(error.reason)}`));
        const remove = ctx.onExit(() => told.push('removed'));
        remove();
        remove();
      }),
    );
    const ends = node.spawn(async (ctx) => {
      ctx.onExit((error) => told.push(`ended: ${String(error.reason)}`));
    });
    await clock.settle();
    expect(ends).toBeDefined();
    await node.stop();
    expect(told).toEqual(['ended: normal', 'kept: shutdown']);
  });

  it('calls a listener given after the exit at once, and refuses a listener that is not a function', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    let context: ActorContext | undefined;
    const pid = node.spawn(async (ctx) => {
      context = ctx;
    });
    await clock.settle();
    expect(node.processInfo(pid)).toBeUndefined();
    const late: WardenError[] = [];
    context?.onExit((error) => late.push(error));
    expect(late).toHaveLength(1);
    expect(late[0]).toMatchObject({ code: 'ERR_ABORTED' });
    expect(() => context?.onExit(42 as never)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    await node.stop();
  });

  it('makes no AbortSignal for a process that only listens for its exit', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const made = { count: 0 };
    const Controller = globalThis.AbortController;
    globalThis.AbortController = class extends Controller {
      constructor() {
        super();
        made.count++;
      }
    };
    try {
      const pid = node.spawn(waiting((ctx) => ctx.onExit(() => {})));
      await clock.settle();
      node.exit(pid, 'kill');
      await clock.settle();
    } finally {
      globalThis.AbortController = Controller;
    }
    expect(made.count).toBe(0);
    await node.stop();
  });

  it('reports a listener that throws and goes on with the exit', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'a', clock });
    const told: string[] = [];
    const pid = node.spawn(
      waiting((ctx) => {
        ctx.onExit(() => {
          throw new Error('listener broke');
        });
        ctx.onExit(() => told.push('second'));
      }),
    );
    await clock.settle();
    const thrown: unknown[] = [];
    const catcher = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', catcher);
    try {
      node.exit(pid, 'kill');
      await new Promise<void>((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', catcher);
    }
    expect(told).toEqual(['second']);
    expect(thrown).toEqual([expect.objectContaining({ message: 'listener broke' })]);
    expect(node.processInfo(pid)).toBeUndefined();
    await node.stop();
  });
});
