import { AsyncLocalStorage } from 'node:async_hooks';
import { describe, expect, it } from 'vitest';
import {
  type ContextPropagation,
  createInMemoryNetwork,
  createNode,
  defineActor,
  type Node,
  type NodeEvent,
  type Pid,
  reply,
  sleep,
  type TraceContext,
} from '../src/index.js';
import { TestClock, TestProbe } from '../src/testing/index.js';

/** A propagation over one AsyncLocalStorage, as a tracing library would make it. */
function storage(): { als: AsyncLocalStorage<TraceContext>; propagation: ContextPropagation } {
  const als = new AsyncLocalStorage<TraceContext>();
  return {
    als,
    propagation: {
      current: () => als.getStore(),
      run: (context, fn) => als.run(context as TraceContext, fn),
    },
  };
}

const A: TraceContext = { traceparent: `00-${'a'.repeat(32)}-${'1'.repeat(16)}-01` };
const B: TraceContext = {
  traceparent: `00-${'b'.repeat(32)}-${'2'.repeat(16)}-00`,
  tracestate: 'k=v',
};

/** An actor that tells `probe` the context each of its handlers ran in. */
function recorder(als: AsyncLocalStorage<TraceContext>, probe: Pid) {
  return defineActor<null>({
    init: () => null,
    handleInfo: (message, state, ctx) => {
      ctx.send(probe, { info: message, context: als.getStore() });
      return state;
    },
    handleCast: (message, state, ctx) => {
      ctx.send(probe, { cast: message, context: als.getStore() });
      return state;
    },
    handleCall: (request, _from, state) => reply({ call: request, context: als.getStore() }, state),
  });
}

function setup() {
  const clock = new TestClock();
  const node = createNode({ name: 'a', clock });
  const { als, propagation } = storage();
  node.setContextPropagation(propagation);
  const probe = new TestProbe(node);
  return { clock, node, als, propagation, probe };
}

describe('context propagation on one node', () => {
  it('runs the handler of a send, a cast and a call inside the sender context', async () => {
    const { clock, node, als, probe } = setup();
    const pid = node.spawn(recorder(als, probe.pid));
    als.run(A, () => node.send(pid, 'sent'));
    als.run(B, () => node.cast(pid, 'cast'));
    const answer = als.run(A, () => node.call(pid, 'called'));
    await clock.settle();
    expect(probe.messages).toEqual([
      { info: 'sent', context: A },
      { cast: 'cast', context: B },
    ]);
    expect(await answer).toEqual({ call: 'called', context: A });
  });

  it('handles a message that carried nothing outside any context, even in a turn a traced send scheduled', async () => {
    const { clock, node, als, probe } = setup();
    const traced = node.spawn(recorder(als, probe.pid));
    const plain = node.spawn(recorder(als, probe.pid));
    await clock.settle(); // both started: the next send schedules a turn
    // The first send schedules the turn from inside A: without isolation the turn, and every
    // handler in it, would inherit A.
    als.run(A, () => node.send(traced, 1));
    node.send(plain, 2);
    await clock.settle();
    expect(probe.messages).toEqual([
      { info: 1, context: A },
      { info: 2, context: undefined },
    ]);
  });

  it('keeps the context through an async handler, so the sends it makes after an await carry it on', async () => {
    const { clock, node, als, probe } = setup();
    const last = node.spawn(recorder(als, probe.pid));
    const relay = node.spawn(
      defineActor<null>({
        init: () => null,
        handleInfo: async (message, state, ctx) => {
          await sleep(ctx.node.clock, 10);
          ctx.send(last, message);
          return state;
        },
      }),
    );
    als.run(B, () => node.send(relay, 'hop'));
    await clock.advance(10);
    expect(probe.messages).toEqual([{ info: 'hop', context: B }]);
  });

  it('sends a sendAfter message with the context it was set in, not the one it fires in', async () => {
    const { clock, node, als, probe } = setup();
    const pid = node.spawn(recorder(als, probe.pid));
    als.run(A, () => node.sendAfter(pid, 'later', 100));
    node.sendAfter(pid, 'plain', 100);
    await als.run(B, () => clock.advance(100));
    expect(probe.messages).toEqual([
      { info: 'later', context: A },
      { info: 'plain', context: undefined },
    ]);
  });

  it('runs init outside any context, even when the spawn was made inside one', async () => {
    const { clock, node, als, probe } = setup();
    als.run(A, () =>
      node.spawn(
        defineActor<null>({
          init: (_args, ctx) => {
            ctx.send(probe.pid, { init: als.getStore() });
            return null;
          },
        }),
      ),
    );
    await clock.settle();
    expect(probe.messages).toEqual([{ init: undefined }]);
  });

  it('hands a process function the messages themselves, not their context: its match and its receive see no wrapper', async () => {
    const { clock, node, als, probe } = setup();
    const pid = node.spawn(async (ctx) => {
      const first = await ctx.receive((m) => m === 'second');
      const second = await ctx.receive();
      const third = await ctx.receive();
      ctx.send(probe.pid, [first, second, third, als.getStore()]);
    });
    als.run(A, () => {
      node.send(pid, 'first');
      node.send(pid, 'second');
    });
    await clock.settle();
    als.run(A, () => node.send(pid, 'waited')); // straight into the pending receive
    await clock.settle();
    expect(probe.messages).toEqual([['second', 'first', 'waited', undefined]]);
  });

  it('records dead letters as the messages themselves', async () => {
    const { clock, node, als } = setup();
    const pid = node.spawn(async (ctx) => {
      await ctx.receive((m) => m === 'never');
    });
    als.run(A, () => node.send(pid, { order: 1 }));
    await clock.settle();
    node.exit(pid, 'kill');
    await clock.settle();
    expect(node.deadLetters.recent().map((d) => [d.message, d.reason])).toEqual([
      [{ order: 1 }, 'process-exited'],
    ]);
  });

  it('reports a hook that throws and delivers without a context; a handler runs once whatever run does', async () => {
    const clock = new TestClock();
    const errors: unknown[] = [];
    const node = createNode({ name: 'a', clock, onError: (e) => errors.push(e) });
    const probe = new TestProbe(node);
    const als = new AsyncLocalStorage<TraceContext>();
    const pid = node.spawn(recorder(als, probe.pid));
    let failing: 'current' | 'run' | 'skip' = 'current';
    node.setContextPropagation({
      current: () => {
        if (failing === 'current') throw new Error('current broke');
        return A;
      },
      run: (context, fn) => {
        if (failing === 'run' && context !== undefined) throw new Error('run broke');
        if (failing === 'skip' && context !== undefined) return undefined as never;
        return fn();
      },
    });
    node.send(pid, 1);
    await clock.settle();
    failing = 'run';
    node.send(pid, 2);
    await clock.settle();
    failing = 'skip';
    node.send(pid, 3);
    await clock.settle();
    expect(probe.messages.map((m) => (m as { info: number }).info)).toEqual([1, 2, 3]);
    // The handler of the first message (it carried nothing) runs outside any context: its send
    // to the probe does not ask the hook.
    expect(errors.map((e) => (e as Error).message)).toEqual(['current broke', 'run broke']);
  });

  it('asks for the context of a send inside the handler of a traced message, and after an await in any handler', async () => {
    const { clock, node, als, probe } = setup();
    const sink = node.spawn(recorder(als, probe.pid));
    const relay = node.spawn(
      defineActor<null>({
        init: () => null,
        handleInfo: async (message, state, ctx) => {
          // A span the handler makes active, here B, and a send inside it.
          als.run(B, () => ctx.send(sink, `${String(message)}: at once`));
          await sleep(ctx.node.clock, 1);
          als.run(B, () => ctx.send(sink, `${String(message)}: after an await`));
          return state;
        },
      }),
    );
    await clock.settle();
    als.run(A, () => node.send(relay, 'traced'));
    await clock.advance(1);
    node.send(relay, 'plain');
    await clock.advance(1);
    expect(probe.messages).toEqual([
      { info: 'traced: at once', context: B },
      { info: 'traced: after an await', context: B },
      // The handler of a message that carried nothing runs outside any context, and its sends
      // before the first await carry nothing: the price of one check a send in a flood.
      { info: 'plain: at once', context: undefined },
      { info: 'plain: after an await', context: B },
    ]);
  });

  it('handles what was sent with a context as any message once propagation is removed', async () => {
    const { clock, node, als, probe } = setup();
    const pid = node.spawn(recorder(als, probe.pid));
    als.run(A, () => node.send(pid, 'queued'));
    node.setContextPropagation(undefined);
    als.run(A, () => node.send(pid, 'after'));
    await clock.settle();
    expect(node.contextPropagation).toBeUndefined();
    expect(probe.messages).toEqual([
      { info: 'queued', context: undefined },
      { info: 'after', context: undefined },
    ]);
  });

  it('refuses a propagation that is not two functions', () => {
    const node = createNode({ name: 'a', clock: new TestClock() });
    for (const bad of [{}, { current: () => undefined }, 'otel', null]) {
      expect(() => node.setContextPropagation(bad as never)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
      );
    }
  });
});

describe('context propagation across nodes (in-memory transport)', () => {
  function cluster() {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b = createNode({ name: 'b', clock, transport: net.transport() });
    const sa = storage();
    const sb = storage();
    a.setContextPropagation(sa.propagation);
    b.setContextPropagation(sb.propagation);
    const probe = new TestProbe(b);
    const pid = b.spawn(recorder(sb.als, probe.pid));
    const events: NodeEvent[] = [];
    b.inspect((e) => {
      if (e.type === 'trace_context.dropped') events.push(e);
    });
    return { clock, a, b, sa, probe, pid, events };
  }

  it('carries the context of a send, a cast and a call to the other node', async () => {
    const { clock, a, sa, probe, pid } = cluster();
    sa.als.run(A, () => a.send(pid, 'sent'));
    sa.als.run(B, () => a.cast(pid, 'cast'));
    const answer = sa.als.run(B, () => a.call(pid, 'called'));
    await clock.settle();
    expect(probe.messages).toEqual([
      { info: 'sent', context: A },
      { cast: 'cast', context: B },
    ]);
    expect(await answer).toEqual({ call: 'called', context: B });
  });

  it('drops a malformed context from a peer with a counted event and delivers the message', async () => {
    const { clock, a, sa, probe, pid, events } = cluster();
    const junk = { traceparent: 'not-a-traceparent' };
    const bigState = { traceparent: A.traceparent, tracestate: 'x'.repeat(600) };
    sa.als.run(junk as TraceContext, () => a.send(pid, 'junk'));
    sa.als.run(bigState, () => a.call(pid, 'big'));
    await clock.settle();
    expect(probe.messages).toEqual([{ info: 'junk', context: undefined }]);
    expect(events.map((e) => (e as { reason: string }).reason)).toEqual([
      'malformed-traceparent',
      'oversized-tracestate',
    ]);
    expect(await sa.als.run(A, () => a.call(pid, 'ok'))).toEqual({ call: 'ok', context: A });
  });

  it('delivers to a node that propagates nothing, without a context', async () => {
    const clock = new TestClock();
    const net = createInMemoryNetwork();
    const a = createNode({ name: 'a', clock, transport: net.transport() });
    const b: Node = createNode({ name: 'b', clock, transport: net.transport() });
    const sa = storage();
    a.setContextPropagation(sa.propagation);
    const als = new AsyncLocalStorage<TraceContext>();
    const pid = b.spawn(recorder(als, new TestProbe(b).pid));
    expect(await sa.als.run(A, () => a.call(pid, 'x'))).toEqual({ call: 'x', context: undefined });
    await clock.settle();
  });
});
