// Envelopes on the wire and the schema check every inbound envelope passes (docs/wire-protocol.md).
import { type Envelope, Pid, type Ref } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../src/internal/codec.js';
import {
  checkBatch,
  envelopeFromWire,
  envelopeToWire,
  KIND,
} from '../src/internal/envelope-wire.js';

const here = new Pid('a', 'inca000001', 3);
const there = new Pid('b', 'incb000001', 4);
const oldThere = new Pid('b', 'incb000000', 4);
const ref = 'b.incb000001#9' as Ref;
const parties = { self: 'a', peer: 'b', peerIncarnation: 'incb000001' };

/** What the far node gets: encoded, decoded, checked. */
function roundTrip(e: Envelope): ReturnType<typeof envelopeFromWire> {
  const d = decode(encode(envelopeToWire(e)));
  if (!d.ok) throw new Error(d.reason);
  return envelopeFromWire(d.value, parties);
}

describe('envelopes survive the wire', () => {
  it.each<Envelope>([
    { kind: 'send', to: here, message: { hello: [1, there] } },
    { kind: 'cast', to: here, message: 'x' },
    { kind: 'call', to: here, from: there, ref, request: { echo: there } },
    { kind: 'reply', to: here, ref, value: 42 },
    {
      kind: 'reply',
      to: here,
      ref,
      value: undefined,
      error: { _tag: 'WardenError', code: 'ERR_MAILBOX_FULL', message: 'full' },
    },
    { kind: 'reply', to: here, ref, value: 42, released: true },
    {
      kind: 'reply',
      to: here,
      ref,
      value: undefined,
      error: { _tag: 'WardenError', code: 'ERR_POISON_MESSAGE', message: 'quarantined' },
      released: true,
    },
    { kind: 'link', to: here, from: there },
    { kind: 'unlink', to: here, from: there },
    {
      kind: 'exit',
      to: here,
      from: there,
      reason: { tag: 'shutdown', detail: { why: there } },
      link: true,
    },
    { kind: 'monitor', to: here, from: there, ref },
    { kind: 'demonitor', to: here, from: there, ref },
    { kind: 'down', to: here, from: there, ref, reason: 'noproc' },
  ])('carries a $kind envelope with its pids revived', (e) => {
    const checked = roundTrip(e);
    expect(checked).toEqual({ ok: true, envelope: e });
    const out = (checked as { envelope: Envelope }).envelope;
    expect(out.to).toBeInstanceOf(Pid);
    if ('from' in out) expect(out.from).toBeInstanceOf(Pid);
  });

  it('keeps the 4- and 5-item reply for a reply that is not released and uses 6 items for one that is', () => {
    const error = { _tag: 'WardenError', code: 'ERR_MAILBOX_FULL', message: 'full' } as const;
    expect(envelopeToWire({ kind: 'reply', to: here, ref, value: 1 })).toHaveLength(4);
    expect(envelopeToWire({ kind: 'reply', to: here, ref, value: 1, error })).toHaveLength(5);
    expect(envelopeToWire({ kind: 'reply', to: here, ref, value: 1, released: true })).toEqual([
      KIND.reply,
      here,
      ref,
      1,
      null,
      true,
    ]);
    expect(
      envelopeToWire({ kind: 'reply', to: here, ref, value: 1, error, released: true }),
    ).toEqual([KIND.reply, here, ref, 1, error, true]);
  });

  it('drops the local-only cause of an error exit reason', () => {
    const reason = {
      tag: 'error' as const,
      name: 'Error',
      message: 'boom',
      code: 'E1',
      cause: new Error('private'),
    };
    const checked = roundTrip({ kind: 'down', to: here, from: there, ref, reason });
    expect(checked).toEqual({
      ok: true,
      envelope: {
        kind: 'down',
        to: here,
        from: there,
        ref,
        reason: { tag: 'error', name: 'Error', message: 'boom', code: 'E1' },
      },
    });
  });

  it('accepts exits and DOWNs from a pid of an earlier incarnation of the peer (noproc answers)', () => {
    expect(
      roundTrip({ kind: 'exit', to: here, from: oldThere, reason: 'noproc', link: true }).ok,
    ).toBe(true);
    expect(roundTrip({ kind: 'down', to: here, from: oldThere, ref, reason: 'noproc' }).ok).toBe(
      true,
    );
  });
});

describe('the envelope schema check refuses', () => {
  it.each<[string, unknown[]]>([
    ['an unknown kind', [42, here, 1]],
    ['a kind that is not an integer', ['send', here, 1]],
    ['a wrong arity', [KIND.send, here]],
    ['a to pid of another node', [KIND.send, there, 1]],
    ['a to that is not a pid', [KIND.send, { node: 'a', incarnation: 'inca000001', id: 3 }, 1]],
    [
      'a from on another node than the authenticated peer',
      [KIND.link, here, new Pid('c', 'incc000001', 1)],
    ],
    ['a link from an earlier incarnation of the peer', [KIND.link, here, oldThere]],
    ['a call without a string ref', [KIND.call, here, there, 7, 'req']],
    ['an overlong ref', [KIND.monitor, here, there, 'r'.repeat(301)]],
    ['an unknown exit reason atom', [KIND.exit, here, there, 'exploded', false]],
    [
      'an error reason without a message',
      [KIND.exit, here, there, { tag: 'error', name: 'E' }, false],
    ],
    ['a non-boolean link flag', [KIND.exit, here, there, 'normal', 1]],
    [
      'an error code outside core table',
      [KIND.reply, here, ref, 1, { _tag: 'WardenError', code: 'ERR_PWNED', message: '' }],
    ],
    ['a reply of 3 items', [KIND.reply, here, ref]],
    ['a reply of 7 items', [KIND.reply, here, ref, 1, null, true, true]],
    ['a 5-item reply with nil for its error', [KIND.reply, here, ref, 1, null]],
    ['a released flag that is false', [KIND.reply, here, ref, 1, null, false]],
    ['a released flag that is 1', [KIND.reply, here, ref, 1, null, 1]],
    ['a released flag that is a string', [KIND.reply, here, ref, 1, null, 'true']],
    ['a released flag that is nil', [KIND.reply, here, ref, 1, null, null]],
    ['a released reply with bad error data', [KIND.reply, here, ref, 1, { code: 'x' }, true]],
    ['a released reply without a string ref', [KIND.reply, here, 7, 1, null, true]],
  ])('%s', (_what, raw) => {
    const d = decode(encode(raw));
    expect(d.ok).toBe(true);
    expect(envelopeFromWire((d as { value: unknown }).value, parties).ok).toBe(false);
  });
});

describe('a batch checked whole', () => {
  const other = new Pid('a', 'inca000001', 8);

  it('leaves sends and casts in wire form, as their destination, and checks every other envelope', () => {
    const raws = [
      [KIND.send, 1, { seq: 1 }],
      [KIND.cast, here, 'inline pid'],
      [KIND.call, here, there, ref, 'request'],
      [KIND.send, 0, 'to the first destination'],
    ];
    const checked = checkBatch(raws, parties, [here, other]);
    expect(checked).toEqual([
      other,
      here,
      { kind: 'call', to: here, from: there, ref, request: 'request' },
      here,
    ]);
    expect((checked as unknown[])[0]).toBe(other);
  });

  it.each<[string, unknown[], readonly Pid[] | undefined]>([
    ['a send to an index without a table', [KIND.send, 0, 'x'], undefined],
    ['a send to an index beyond the table', [KIND.send, 2, 'x'], [here, other]],
    ['a send to a pid of another node', [KIND.send, there, 'x'], undefined],
    // The fourth item of a send is its trace context (checked by the node): five is one too many.
    ['a send with a field too many', [KIND.send, here, 'x', ['trace'], 'y'], undefined],
    ['a call from another node than the peer', [KIND.call, here, here, ref, 'r'], undefined],
  ])('refuses the whole batch for %s after good envelopes', (_what, bad, destinations) => {
    const raws = [[KIND.send, here, 'good'], bad];
    expect(typeof checkBatch(raws, parties, destinations)).toBe('string');
  });
});
