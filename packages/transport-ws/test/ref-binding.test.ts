// Refs bound to their connection (docs/wire-protocol.md section 3, docs/security.md), with the
// released reply of decision 0013: once this node has released a monitor the peer's call implied,
// a demonitor for it is no longer the peer's to send.
import { type Envelope, Pid, type Ref } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { RefBinding } from '../src/internal/ref-binding.js';

const here = new Pid('a', 'inca000001', 3);
const there = new Pid('b', 'incb000001', 4);
const ref = 'b.incb000001#9' as Ref;

const call: Envelope = { kind: 'call', to: here, from: there, ref, request: 'q' };
const demonitor: Envelope = { kind: 'demonitor', to: here, from: there, ref };

describe('refs the peer sent in a call', () => {
  it('drops a demonitor after this node sent a released reply for the call', () => {
    const refs = new RefBinding();
    expect(refs.admits(call)).toBe(true);
    refs.sent({ kind: 'reply', to: there, ref, value: 'a', released: true });
    expect(refs.admits(demonitor)).toBe(false);
  });

  it('admits the demonitor once after a reply that is not released', () => {
    const refs = new RefBinding();
    expect(refs.admits(call)).toBe(true);
    refs.sent({ kind: 'reply', to: there, ref, value: 'a' });
    expect(refs.admits(demonitor)).toBe(true);
    expect(refs.admits(demonitor)).toBe(false);
  });

  it('drops a demonitor after this node sent the DOWN of the monitor a call implied', () => {
    const refs = new RefBinding();
    expect(refs.admits(call)).toBe(true);
    refs.sent({ kind: 'down', to: there, from: here, ref, reason: 'noproc' });
    expect(refs.admits(demonitor)).toBe(false);
  });

  it('keeps the ref of another call when one reply is released', () => {
    const refs = new RefBinding();
    const other = 'b.incb000001#10' as Ref;
    refs.admits(call);
    refs.admits({ ...call, ref: other });
    refs.sent({ kind: 'reply', to: there, ref, value: 'a', released: true });
    expect(refs.admits({ ...demonitor, ref: other })).toBe(true);
  });
});

describe('refs this node sent in a call', () => {
  it('admits one reply or DOWN for a call it sent, released or not, and nothing after', () => {
    const refs = new RefBinding();
    const sentCall: Envelope = { kind: 'call', to: there, from: here, ref, request: 'q' };
    refs.sent(sentCall);
    expect(refs.admits({ kind: 'reply', to: here, ref, value: 'a', released: true })).toBe(true);
    expect(refs.admits({ kind: 'reply', to: here, ref, value: 'a' })).toBe(false);
    refs.sent(sentCall);
    expect(refs.admits({ kind: 'down', to: here, from: there, ref, reason: 'noproc' })).toBe(true);
    expect(refs.admits({ kind: 'down', to: here, from: there, ref, reason: 'noproc' })).toBe(false);
  });
});
