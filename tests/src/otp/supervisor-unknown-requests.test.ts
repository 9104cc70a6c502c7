// docs/semantics.md section 3 (item 17): what a supervisor does with a request it does not
// understand. A call always gets an answer (`unknown_request`), never a silent undefined; a call,
// cast or message it has no use for is reported as supervisor.unexpected_message, never dropped.
import { countChildren, type Pid, type UnknownRequestResult, whichChildren } from '@warden/core';
import { describe, expect, it } from 'vitest';
import { createHarness, type Harness, startUnderParent, workerSpec } from './supervisor-harness.js';

const UNKNOWN: UnknownRequestResult = { ok: false, error: 'unknown_request' };

async function supervisor(h: Harness): Promise<Pid> {
  const { sup } = await startUnderParent(h.node, { children: [workerSpec('a')] });
  return sup;
}

describe('3 Requests a supervisor does not understand', () => {
  const calls: [string, unknown][] = [
    ['an unknown $sup verb', { $sup: 'make_coffee' }],
    ['a known verb without the field it needs', { $sup: 'restart_child' }],
    ['a known verb with a field of the wrong type', { $sup: 'terminate_child', target: 42 }],
    ["one of the supervisor's own messages", { $sup: 'try_again_restart', key: 'a' }],
    ['a string', 'which_children'],
    ['an object without $sup', { which: 'children' }],
  ];

  it.each(calls)('answers unknown_request to %s and reports it (item 17)', async (_, request) => {
    const h = createHarness();
    const sup = await supervisor(h);
    const before = await whichChildren(h.node, sup);
    expect(await h.node.call(sup, request)).toEqual(UNKNOWN);
    expect(h.eventsOf('supervisor.unexpected_message')).toEqual([
      { type: 'supervisor.unexpected_message', time: 0, supervisor: sup, message: request },
    ]);
    // Nothing changed, and the supervisor still answers the requests it knows.
    expect(await whichChildren(h.node, sup)).toEqual(before);
    expect(await countChildren(h.node, sup)).toMatchObject({ specs: 1, active: 1 });
  });

  it('reports a message with an unknown $sup verb instead of dropping it (item 17)', async () => {
    const h = createHarness();
    const sup = await supervisor(h);
    const before = await whichChildren(h.node, sup);
    h.node.send(sup, { $sup: 'make_coffee', key: 'a' });
    h.node.cast(sup, { $sup: 'which_children' });
    await h.clock.settle();
    expect(h.eventsOf('supervisor.unexpected_message')).toMatchObject([
      { supervisor: sup, message: { $sup: 'make_coffee', key: 'a' } },
      { supervisor: sup, message: { $sup: 'which_children' } },
    ]);
    expect(h.node.isAlive(sup)).toBe(true);
    expect(await whichChildren(h.node, sup)).toEqual(before);
  });
});
