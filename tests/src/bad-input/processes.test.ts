import { createNode, defineActor, isWardenError, type Node, Pid, reply } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { expectInvalid, idle, thrown } from '../support/process-fixtures.js';

// Bad input to the process API: each case is a typed error or a counted dead letter, never a
// crash or a hang.

const echo = defineActor<null, void>({
  init: () => null,
  handleCall: (req, _f, s) => reply(req, s),
});

function setup() {
  const clock = new TestClock();
  return { clock, node: createNode({ name: 'a', clock }) };
}

describe('call timeouts', () => {
  for (const [label, timeout] of [
    ['NaN', Number.NaN],
    ['-1', -1],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['"100" (a string)', '100'],
  ] as const) {
    it(`rejects the call timeout ${label} with ERR_INVALID_ARGUMENT naming timeout`, async () => {
      const { node } = setup();
      const pid = node.spawn(echo);
      const err = await node.call(pid, 'q', { timeout: timeout as never }).catch((e) => e);
      expectInvalid(err, 'timeout');
    });
  }

  it('rejects a bad timeout from inside a process too', async () => {
    const { clock, node } = setup();
    const server = node.spawn(echo);
    let err: unknown;
    node.spawn(async (ctx) => {
      err = await ctx.call(server, 'q', { timeout: Number.NaN }).catch((e) => e);
    });
    await clock.settle();
    expectInvalid(err, 'timeout');
  });

  it('accepts an Infinity timeout and a 0 timeout', async () => {
    const { node } = setup();
    const pid = node.spawn(echo);
    expect(await node.call(pid, 1, { timeout: Number.POSITIVE_INFINITY })).toBe(1);
    const zero = await node.call(pid, 2, { timeout: 0 }).catch((e) => e.code);
    expect(zero).not.toBe('ERR_INVALID_ARGUMENT');
  });
});

describe('receive timeouts', () => {
  for (const [label, timeout] of [
    ['NaN', Number.NaN],
    ['-5', -5],
    ['"10" (a string)', '10'],
  ] as const) {
    it(`rejects the receive timeout ${label} with ERR_INVALID_ARGUMENT naming timeout`, async () => {
      const { clock, node } = setup();
      let err: unknown = 'still waiting';
      node.spawn(async (ctx) => {
        err = await ctx.receive(undefined, { timeout: timeout as never }).catch((e) => e);
      });
      await clock.advance(60_000);
      expectInvalid(err, 'timeout');
    });
  }
});

describe('dead and unknown targets', () => {
  it('rejects a call to a dead pid with ERR_NOPROC', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(async () => {});
    await clock.settle();
    expect(isWardenError(await node.call(pid, 'q').catch((e) => e), 'ERR_NOPROC')).toBe(true);
  });

  it('rejects a call to an unknown name with ERR_NOPROC', async () => {
    const { node } = setup();
    expect(isWardenError(await node.call('ghost', 'q').catch((e) => e), 'ERR_NOPROC')).toBe(true);
  });

  it('counts a send to a dead pid as a noproc dead letter', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(async () => {});
    await clock.settle();
    node.send(pid, 'x');
    node.cast(pid, 'y');
    expect(node.deadLetters.countOf('noproc')).toBe(2);
  });

  it('counts a send to an unknown name as an unknown-name dead letter', () => {
    const { node } = setup();
    node.send('ghost', 'x');
    expect(node.deadLetters.countOf('unknown-name')).toBe(1);
  });

  it('rejects a target that is neither a pid nor a name with ERR_INVALID_ARGUMENT', async () => {
    const { node } = setup();
    expectInvalid(
      thrown(() => node.send(42 as never, 'x')),
      'to',
    );
    const forged = { node: 'a', incarnation: node.incarnation, id: 1 };
    expectInvalid(
      thrown(() => node.send(forged as never, 'x')),
      'to',
    );
    expectInvalid(await node.call(42 as never, 'q').catch((e) => e), 'to');
  });
});

describe('a stopped node', () => {
  async function stopped(): Promise<{ node: Node; pid: Pid }> {
    const { node } = setup();
    const pid = node.spawn(idle, { name: 'svc' });
    await node.stop();
    return { node, pid };
  }

  it('counts sends and casts as node-stopped dead letters', async () => {
    const { node, pid } = await stopped();
    node.send(pid, 'x');
    node.cast(pid, 'y');
    node.send('svc', 'z');
    expect(node.deadLetters.countOf('node-stopped')).toBe(3);
  });

  it('rejects calls with ERR_NODE_STOPPED', async () => {
    const { node, pid } = await stopped();
    const err = await node.call(pid, 'q').catch((e) => e);
    expect(isWardenError(err, 'ERR_NODE_STOPPED')).toBe(true);
  });

  it('settles a call in flight when the node stops, with a typed error', async () => {
    const { clock, node } = setup();
    const pid = node.spawn(idle);
    let outcome: unknown = 'pending';
    node.call(pid, 'q', { timeout: Number.POSITIVE_INFINITY }).then(
      (v) => (outcome = v),
      (e) => (outcome = e),
    );
    await clock.settle();
    await node.stop();
    await clock.settle();
    // The server ends with `shutdown` first, so the caller sees the server's exit (item 51).
    expect(isWardenError(outcome, 'ERR_EXIT') || isWardenError(outcome, 'ERR_NODE_STOPPED')).toBe(
      true,
    );
  });

  it('throws ERR_NODE_STOPPED on spawn and rejects start', async () => {
    const { node } = await stopped();
    expect(
      isWardenError(
        thrown(() => node.spawn(idle)),
        'ERR_NODE_STOPPED',
      ),
    ).toBe(true);
    expect(isWardenError(await node.start(echo).catch((e) => e), 'ERR_NODE_STOPPED')).toBe(true);
  });

  it('stops idempotently', async () => {
    const { node } = await stopped();
    await node.stop();
    expect(node.stopped).toBe(true);
    expect(node.processes()).toEqual([]);
  });
});

describe('exit reasons', () => {
  for (const [label, reason] of [
    ['undefined', undefined],
    ['an unknown string', 'bogus'],
    ['a plain object', { why: 'no tag' }],
  ] as const) {
    it(`rejects exit(pid, ${label}) with ERR_INVALID_ARGUMENT naming reason`, async () => {
      const { clock, node } = setup();
      const pid = node.spawn(async (ctx) => {
        void ctx.signal; // an armed AbortSignal must not turn a bad reason into a crash
        await ctx.receive(() => false);
      });
      await clock.settle();
      expectInvalid(
        thrown(() => node.exit(pid, reason as never)),
        'reason',
      );
      expect(node.isAlive(pid)).toBe(true);
    });
  }
});

describe('pids of an earlier incarnation', () => {
  it('counts a send to a pid of an earlier incarnation as stale-incarnation', async () => {
    const clock = new TestClock();
    const first = createNode({ name: 'same', clock });
    const old = first.spawn(idle);
    await first.stop();
    const second = createNode({ name: 'same', clock });
    expect(second.incarnation).not.toBe(first.incarnation);
    const fresh = second.spawn(idle);
    // The new process may even have the same counter: it must not get the message.
    const collide = new Pid('same', first.incarnation, fresh.id);
    second.send(old, 'for the old one');
    second.send(collide, 'also old');
    expect(second.deadLetters.countOf('stale-incarnation')).toBe(2);
    expect(second.processInfo(fresh)?.mailboxSize).toBe(0);
  });

  it('rejects a call to a pid of an earlier incarnation with ERR_NOPROC', async () => {
    const clock = new TestClock();
    const first = createNode({ name: 'same', clock });
    const old = first.spawn(echo);
    await first.stop();
    const second = createNode({ name: 'same', clock });
    second.spawn(echo);
    expect(isWardenError(await second.call(old, 'q').catch((e) => e), 'ERR_NOPROC')).toBe(true);
  });
});
