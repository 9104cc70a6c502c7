/**
 * What docs/architecture.md says a pid is: a value that serialises to plain data (the only shape
 * that crosses the wire) and, on its own node, caches the live process it names. A pid revived
 * from its wire shape is the same pid for `samePid` and reaches the same process.
 */
import { createNode, defineActor, isPid, Pid, reply, samePid } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';

const counter = defineActor<number, number>({
  init: (n) => n,
  handleCall: (_request, _from, n) => reply(n, n),
  handleCast: (by: number, n) => n + by,
});

describe('a pid', () => {
  it('serialises to plain data: node, incarnation and counter, nothing of the live process', () => {
    const node = createNode({ name: 'pids', clock: new TestClock() });
    const pid = node.spawn(counter, { args: 0 });
    const wire: unknown = JSON.parse(JSON.stringify(pid));
    expect(wire).toEqual({ node: 'pids', incarnation: pid.incarnation, id: pid.id });
    expect(Object.keys(wire as object)).toEqual(['node', 'incarnation', 'id']);
    expect(isPid(wire)).toBe(false);
  });

  it('revived from its wire shape, equals the original and reaches the same process', async () => {
    const node = createNode({ name: 'pids', clock: new TestClock() });
    const pid = node.spawn(counter, { args: 40 });
    const revived = Pid.from(JSON.parse(JSON.stringify(pid)));
    expect(revived).not.toBe(pid);
    expect(samePid(revived, pid)).toBe(true);
    node.cast(revived, 2);
    expect(await node.call(revived, 'get')).toBe(42);
    expect(await node.call(pid, 'get')).toBe(42);
  });

  it('of an earlier incarnation of a node, revived, never reaches the new one', () => {
    const first = createNode({ name: 'pids', clock: new TestClock() });
    const old = first.spawn(counter, { args: 0 });
    const second = createNode({ name: 'pids', clock: new TestClock() });
    second.spawn(counter, { args: 0 });
    const revived = Pid.from(JSON.parse(JSON.stringify(old)));
    expect(second.isAlive(revived)).toBe(false);
  });
});
