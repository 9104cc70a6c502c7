import { createNode, defineActor, type NodeOptions, reply } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { expectInvalid, idle, thrown } from '../support/process-fixtures.js';

// Bad options to spawn, createNode and sendAfter: each case is a typed error or a counted dead letter, never a
// crash or a hang.

const echo = defineActor<null, void>({
  init: () => null,
  handleCall: (req, _f, s) => reply(req, s),
});

function setup() {
  const clock = new TestClock();
  return { clock, node: createNode({ name: 'a', clock }) };
}

describe('spawn and createNode arguments', () => {
  for (const [label, behaviour] of [
    ['a number', 42],
    ['a plain object', { init: () => 0 }],
    ['a string', 'actor'],
  ] as const) {
    it(`rejects spawning ${label} with ERR_INVALID_ARGUMENT naming behaviour`, async () => {
      const { node } = setup();
      expectInvalid(
        thrown(() => node.spawn(behaviour as never)),
        'behaviour',
      );
      expectInvalid(await node.start(behaviour as never).catch((e) => e), 'behaviour');
      expect(node.processes()).toEqual([]);
    });
  }

  it('rejects a null spawn mailbox naming mailbox', () => {
    const { node } = setup();
    expectInvalid(
      thrown(() => node.spawn(idle, { mailbox: null as never })),
      'mailbox',
    );
  });

  it('rejects bad spawn mailbox options naming the field', () => {
    const { node } = setup();
    expectInvalid(
      thrown(() => node.spawn(idle, { mailbox: { capacity: 0 } })),
      'mailbox.capacity',
    );
    expectInvalid(
      thrown(() => node.spawn(idle, { mailbox: { overflow: 'panic' as never } })),
      'mailbox.overflow',
    );
    expect(node.processes()).toEqual([]);
  });

  for (const name of ['', 'has space', 'slash/name', 42, undefined, 'x'.repeat(256)]) {
    it(`rejects the node name ${JSON.stringify(name)?.slice(0, 20)} with ERR_INVALID_ARGUMENT`, () => {
      expectInvalid(
        thrown(() => createNode({ name: name as never, clock: new TestClock() })),
        'name',
      );
    });
  }

  it('rejects createNode with a null mailbox naming mailbox', () => {
    expectInvalid(
      thrown(() => createNode({ name: 'a', clock: new TestClock(), mailbox: null as never })),
      'mailbox',
    );
  });

  it('rejects spawn with a poison option that is not a PoisonGuard, naming poison', () => {
    const { node } = setup();
    expectInvalid(
      thrown(() => node.spawn(echo, { poison: {} as never })),
      'poison',
    );
    expect(node.processes()).toEqual([]);
  });

  it('rejects createNode without options with ERR_INVALID_ARGUMENT', () => {
    expectInvalid(
      thrown(() => createNode(undefined as unknown as NodeOptions)),
      'name',
    );
  });

  for (const [label, mailbox, field] of [
    ['capacity 0', { capacity: 0 }, 'mailbox.capacity'],
    ['capacity -1', { capacity: -1 }, 'mailbox.capacity'],
    ['capacity 1.5', { capacity: 1.5 }, 'mailbox.capacity'],
    ['capacity NaN', { capacity: Number.NaN }, 'mailbox.capacity'],
    ['capacity as a string', { capacity: '10' }, 'mailbox.capacity'],
    ['an unknown overflow policy', { overflow: 'drop-all' }, 'mailbox.overflow'],
  ] as const) {
    it(`rejects createNode with mailbox ${label} naming ${field}`, () => {
      expectInvalid(
        thrown(() => createNode({ name: 'a', clock: new TestClock(), mailbox: mailbox as never })),
        field,
      );
    });
  }

  it('accepts an unbounded mailbox (capacity Infinity)', () => {
    const node = createNode({
      name: 'a',
      clock: new TestClock(),
      mailbox: { capacity: Number.POSITIVE_INFINITY },
    });
    const pid = node.spawn(idle);
    for (let i = 0; i < 20_000; i++) node.send(pid, i);
    expect(node.processInfo(pid)?.mailboxSize).toBe(20_000);
    expect(node.deadLetters.count).toBe(0);
  });

  it('rejects sendAfter to something that is neither a pid nor a name, before arming a timer', async () => {
    const { clock, node } = setup();
    expectInvalid(
      thrown(() => node.sendAfter(42 as never, 'm', 10)),
      'to',
    );
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(10); // and nothing throws when the time comes
  });

  for (const delay of [Number.NaN, -1, Number.POSITIVE_INFINITY, '5']) {
    it(`rejects sendAfter with delay ${String(delay)} naming delayMs`, () => {
      const { node } = setup();
      expectInvalid(
        thrown(() => node.sendAfter('x', 'm', delay as never)),
        'delayMs',
      );
    });
  }
});
