// What a node does with whatever a transport hands it: well-formed envelopes it cannot deliver,
// and malformed ones. None may crash the node; every undeliverable message is a counted dead
// letter (docs/semantics.md "Beyond OTP"; docs/semantics.md items 44, 49, 54).
import {
  createNode,
  defineActor,
  type Envelope,
  type Node,
  Pid,
  reply,
  type Transport,
  type TransportHost,
} from '@warden/core';
import { TestClock, TestProbe } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

/** A transport that hands the test the host and records what the node sends to `far`. */
class CapturingTransport implements Transport {
  host: TransportHost | undefined;
  readonly sent: Envelope[] = [];

  attach(host: TransportHost): void {
    this.host = host;
  }

  deliver(envelope: Envelope): boolean {
    if (envelope?.to?.node !== 'far') return false;
    this.sent.push(envelope);
    return true;
  }

  isConnected(node: string): boolean {
    return node === 'far';
  }

  nodes(): string[] {
    return ['far'];
  }

  detach(): void {
    this.host = undefined;
  }
}

/** Records plain messages and casts; the call `'log'` returns them, `{ echo }` echoes. */
const recorder = defineActor<unknown[], void>({
  init: () => [],
  handleCall: (request: unknown, _from, log) =>
    reply(request === 'log' ? log.slice() : (request as { echo: unknown }).echo, log),
  handleCast: (message, log) => [...log, message],
  handleInfo: (message, log) => [...log, message],
});

const FAR = new Pid('far', 'f1', 7);

async function setup(): Promise<{
  clock: TestClock;
  node: Node;
  host: TransportHost;
  transport: CapturingTransport;
  target: Pid;
}> {
  const clock = new TestClock();
  const transport = new CapturingTransport();
  const node = createNode({ name: 'a', clock, transport });
  const target = node.spawn(recorder);
  await clock.settle();
  if (transport.host === undefined) throw new Error('the node did not attach to its transport');
  return { clock, node, host: transport.host, transport, target };
}

describe('envelopes the node cannot deliver', () => {
  it('dead-letters a send, cast or call for an unknown local pid as noproc (item 54)', async () => {
    const { clock, node, host } = await setup();
    const nobody = new Pid('a', node.incarnation, 999);
    const before = node.deadLetters.countOf('noproc');
    host.receive({ kind: 'send', to: nobody, message: 1 });
    host.receive({ kind: 'cast', to: nobody, message: 2 });
    host.receive({ kind: 'call', to: nobody, from: FAR, ref: 'far.f1#1' as never, request: 3 });
    await clock.settle();
    expect(node.deadLetters.countOf('noproc')).toBe(before + 3);
  });

  it('dead-letters a message for an earlier incarnation as stale-incarnation, never delivering it', async () => {
    const { clock, node, host, target } = await setup();
    const stale = new Pid('a', 'earlier', target.id);
    host.receive({ kind: 'send', to: stale, message: 'old' });
    host.receive({ kind: 'cast', to: stale, message: 'old' });
    await clock.settle();
    expect(node.deadLetters.countOf('stale-incarnation')).toBe(2);
    expect(await node.call(target, 'log')).toEqual([]);
  });

  it('dead-letters a message for a pid from the wire once its process has exited, though it was just delivered to', async () => {
    const { clock, node, host, target } = await setup();
    // A pid revived from the wire: the same object for every message, as a flood delivers it.
    const revived = Pid.from(target.toJSON());
    host.receive({ kind: 'send', to: revived, message: 'first' });
    host.receive({ kind: 'send', to: revived, message: 'second' });
    await clock.settle();
    expect(await node.call(target, 'log')).toEqual(['first', 'second']);
    node.exit(target, 'kill');
    await clock.settle();
    const before = node.deadLetters.countOf('noproc');
    host.receive({ kind: 'send', to: revived, message: 'after' });
    await clock.settle();
    expect(node.deadLetters.countOf('noproc')).toBe(before + 1);
    const other = node.spawn(recorder);
    host.receive({ kind: 'send', to: Pid.from(other.toJSON()), message: 'elsewhere' });
    host.receive({ kind: 'send', to: revived, message: 'still gone' });
    await clock.settle();
    expect(await node.call(other, 'log')).toEqual(['elsewhere']);
    expect(node.deadLetters.countOf('noproc')).toBe(before + 2);
  });

  it('dead-letters a message addressed to another node, never delivering it', async () => {
    const { clock, node, host, target } = await setup();
    const before = node.deadLetters.count;
    host.receive({
      kind: 'send',
      to: new Pid('elsewhere', node.incarnation, target.id),
      message: 1,
    });
    await clock.settle();
    expect(node.deadLetters.count).toBe(before + 1);
    expect(await node.call(target, 'log')).toEqual([]);
  });

  it('dead-letters a reply for a call nobody waits for as late-reply (item 50)', async () => {
    const { clock, node, host, target } = await setup();
    host.receive({ kind: 'reply', to: target, ref: 'a.none#1' as never, value: 'late' });
    await clock.settle();
    expect(node.deadLetters.countOf('late-reply')).toBe(1);
  });

  it('answers a link to an unknown local pid with a noproc exit to the far linker (item 44)', async () => {
    const { clock, node, host, transport } = await setup();
    const nobody = new Pid('a', node.incarnation, 999);
    host.receive({ kind: 'link', to: nobody, from: FAR });
    await clock.settle();
    expect(transport.sent).toContainEqual({
      kind: 'exit',
      to: FAR,
      from: nobody,
      reason: 'noproc',
      link: true,
    });
  });

  it('answers a monitor of an unknown local pid with a noproc DOWN to the far watcher (item 49)', async () => {
    const { clock, node, host, transport } = await setup();
    const nobody = new Pid('a', node.incarnation, 999);
    host.receive({ kind: 'monitor', to: nobody, from: FAR, ref: 'far.f1#2' as never });
    await clock.settle();
    expect(transport.sent).toContainEqual({
      kind: 'down',
      to: FAR,
      from: nobody,
      ref: 'far.f1#2',
      reason: 'noproc',
    });
  });

  it('answers a call to an unknown local pid with a noproc DOWN to the far caller, as the monitor it implies would (items 49, 51)', async () => {
    const { clock, node, host, transport } = await setup();
    const nobody = new Pid('a', node.incarnation, 999);
    host.receive({ kind: 'call', to: nobody, from: FAR, ref: 'far.f1#4' as never, request: 1 });
    await clock.settle();
    expect(transport.sent).toEqual([
      { kind: 'down', to: FAR, from: nobody, ref: 'far.f1#4', reason: 'noproc' },
    ]);
  });

  it('holds the monitor a call from another node implies and releases it with the reply (decision 0013)', async () => {
    const { clock, node, host, transport, target } = await setup();
    host.receive({ kind: 'call', to: target, from: FAR, ref: 'far.f1#5' as never, request: 'log' });
    expect(node.processInfo(target)?.monitoredBy).toEqual([FAR]);
    await clock.settle();
    expect(transport.sent).toEqual([
      { kind: 'reply', to: FAR, ref: 'far.f1#5', value: [], released: true },
    ]);
    expect(node.processInfo(target)?.monitoredBy).toEqual([]);
  });

  it('drops exit, unlink, demonitor and DOWN signals for unknown pids without harm', async () => {
    const { clock, node, host, target } = await setup();
    const nobody = new Pid('a', node.incarnation, 999);
    host.receive({ kind: 'exit', to: nobody, from: FAR, reason: 'kill', link: false });
    host.receive({ kind: 'unlink', to: nobody, from: FAR });
    host.receive({ kind: 'demonitor', to: nobody, from: FAR, ref: 'far.f1#3' as never });
    host.receive({ kind: 'down', to: nobody, from: FAR, ref: 'a.x#1' as never, reason: 'normal' });
    host.receive({ kind: 'down', to: target, from: FAR, ref: 'a.x#2' as never, reason: 'normal' });
    await clock.settle();
    expect(node.isAlive(target)).toBe(true);
    expect(await node.call(target, 'log')).toEqual([]);
  });

  it('counts a message that arrives after the node stopped as a node-stopped dead letter', async () => {
    const { clock, node, host, target } = await setup();
    await node.stop();
    expect(() => host.receive({ kind: 'send', to: target, message: 'too late' })).not.toThrow();
    await clock.settle();
    expect(node.deadLetters.countOf('node-stopped')).toBe(1);
  });

  it('tolerates node up and down reports for a node it never heard of', async () => {
    const { clock, node, host, target } = await setup();
    const probe = new TestProbe(node);
    probe.link(target);
    expect(() => host.nodeUp('ghost')).not.toThrow();
    expect(() => host.nodeDown('ghost')).not.toThrow();
    await probe.expectNoMessage(100);
    expect(node.processInfo(target)?.links.map((p) => p.key)).toEqual([probe.pid.key]);
    expect(await node.call(target, { echo: 'ok' })).toBe('ok');
    expect(clock.pendingTimers).toBe(0);
  });
});

/** Envelopes no well-behaved transport would produce; `target` is a live local process. */
describe('receiveMessage, the envelope-free entry of a send or cast', () => {
  /** Each way in for the same send or cast: the envelope, and the transport's shortcut. */
  const ways: [string, (host: TransportHost, to: Pid, message: unknown, cast: boolean) => void][] =
    [
      [
        'receive',
        (host, to, message, cast) => host.receive({ kind: cast ? 'cast' : 'send', to, message }),
      ],
      ['receiveMessage', (host, to, message, cast) => host.receiveMessage(to, message, cast)],
    ];

  it.each(ways)(
    'via %s: delivers sends and casts in order, as handleInfo and handleCast',
    async (_way, put) => {
      const { clock, node, host, target } = await setup();
      put(host, target, 'one', false);
      put(host, target, 'two', true);
      put(host, Pid.from(target.toJSON()), 'three', false);
      await clock.settle();
      expect(await node.call(target, 'log')).toEqual(['one', 'two', 'three']);
    },
  );

  it.each(ways)(
    'via %s: dead-letters what it cannot deliver, by the same reasons',
    async (_way, put) => {
      const { clock, node, host, target } = await setup();
      put(host, new Pid('a', node.incarnation, 999), 'nobody', false);
      put(host, new Pid('a', 'earlier', target.id), 'stale', true);
      put(host, new Pid('elsewhere', node.incarnation, target.id), 'misrouted', false);
      put(host, { node: 'a', id: 1 } as unknown as Pid, 'not a pid', false);
      await clock.settle();
      expect(node.deadLetters.countOf('noproc')).toBe(1);
      expect(node.deadLetters.countOf('stale-incarnation')).toBe(1);
      expect(node.deadLetters.countOf('misrouted')).toBe(1);
      expect(node.deadLetters.countOf('malformed-envelope')).toBe(1);
      await node.stop();
      put(host, target, 'too late', false);
      expect(node.deadLetters.countOf('node-stopped')).toBe(1);
    },
  );
});

function malformed(target: Pid): [string, unknown][] {
  return [
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', 'send'],
    ['an empty object', {}],
    ['an unknown kind', { kind: 'bogus', to: target, message: 1 }],
    ['a send without a destination', { kind: 'send', message: 1 }],
    ['a send to null', { kind: 'send', to: null, message: 1 }],
    ['a send to a string', { kind: 'send', to: String(target), message: 1 }],
    ['a send to half a pid', { kind: 'send', to: { node: 'a' }, message: 1 }],
    ['a link without a sender', { kind: 'link', to: target, from: null }],
    ['a monitor without a watcher', { kind: 'monitor', to: target, from: null, ref: 'm#1' }],
    ['an exit without a sender', { kind: 'exit', to: target, from: null, reason: 'kill' }],
    ['an exit with an invalid reason', { kind: 'exit', to: target, from: FAR, reason: 'bogus' }],
    ['a call without a caller', { kind: 'call', to: target, from: null, ref: null, request: 1 }],
    ['a reply to nobody', { kind: 'reply', to: null, ref: 'a#1', value: 1 }],
    [
      'a reply with a released flag other than true',
      { kind: 'reply', to: target, ref: 'a#3', value: 1, released: 'yes' },
    ],
    ['a DOWN to nobody', { kind: 'down', to: null, from: FAR, ref: 'a#2', reason: 'normal' }],
  ];
}

describe('malformed envelopes', () => {
  const cases = malformed(new Pid('a', 'placeholder', 1)).map(([label]) => label);

  it.each(cases)('drops %s as a counted dead letter and the node keeps working', async (label) => {
    const { clock, node, host, target } = await setup();
    const envelope = (malformed(target).find(([l]) => l === label) as [string, unknown])[1];
    const probe = new TestProbe(node);
    const ref = probe.monitor(target);
    const before = node.deadLetters.count;

    expect(() => host.receive(envelope as Envelope)).not.toThrow();
    await clock.settle();

    expect(node.deadLetters.count).toBe(before + 1);
    expect(node.isAlive(target)).toBe(true);
    expect(await node.call(target, { echo: 'still here' })).toBe('still here');
    expect(await node.call(target, 'log')).toEqual([]);
    // The process's tables are intact: it can still be stopped, and its monitor fires once.
    expect(() => node.exit(target, 'shutdown')).not.toThrow();
    await probe.expectDown(ref, 'shutdown');
    await probe.expectNoMessage(100);
  });
});
