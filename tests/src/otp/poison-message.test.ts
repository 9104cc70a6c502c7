// warden's poison-message rule (beyond OTP: docs/semantics.md, "Beyond OTP"): a message that crashed its
// handler K times within a window goes to dead letters instead of crash-looping the actor.
import {
  createPoisonGuard,
  defineActor,
  isWardenError,
  type Pid,
  reply,
  type SupervisorSpec,
} from '@warden/core';
import { describe, expect, it } from 'vitest';
import { createHarness, type Harness, pidOf, startUnderParent } from './supervisor-harness.js';

interface Poison {
  readonly poison: number;
}
const isPoison = (m: unknown): m is Poison => typeof m === 'object' && m !== null && 'poison' in m;

/** Counts the messages it handles; any `{ poison }` message or call makes its handler throw. */
const fragile = defineActor<number>({
  init: () => 0,
  handleInfo: (message, handled) => {
    if (isPoison(message)) throw new Error(`poisoned by ${message.poison}`);
    return handled + 1;
  },
  handleCall: (request, _from, handled) => {
    if (isPoison(request)) throw new Error(`poisoned by ${request.poison}`);
    return reply(handled, handled + 1);
  },
});

function guarded(poison: SupervisorSpec['poison']): SupervisorSpec {
  return {
    intensity: 20,
    period: 60_000,
    poison,
    children: [{ id: 'w', start: { behaviour: fragile, options: { name: 'w' } } }],
  };
}

/** Sends `message` to the registered child and lets the crash (if any) and restart settle. */
async function deliver(h: Harness, message: unknown): Promise<void> {
  h.node.send('w', message);
  await h.clock.settle();
}

describe('Poison messages under a supervisor (poison flag)', () => {
  it('dead-letters a message that crashed the child K times instead of crash-looping it', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, guarded({ threshold: 3 }));
    for (let i = 0; i < 3; i++) await deliver(h, { poison: 1 });
    expect(h.eventsOf('supervisor.restart')).toHaveLength(3);
    expect(h.eventsOf('poison.quarantined')).toMatchObject([{ crashes: 3 }]);
    const w = await pidOf(h.node, sup, 'w');
    await deliver(h, { poison: 1 });
    expect(await pidOf(h.node, sup, 'w')).toEqual(w);
    expect(h.eventsOf('supervisor.restart')).toHaveLength(3);
    expect(h.node.deadLetters.countOf('poison-message')).toBe(1);
    expect(h.node.deadLetters.recent().at(-1)).toMatchObject({
      to: w,
      message: { poison: 1 },
      reason: 'poison-message',
    });
  });

  it('still hands other messages to the handler, including other poison messages', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, guarded({ threshold: 2 }));
    for (let i = 0; i < 2; i++) await deliver(h, { poison: 1 });
    const w = await pidOf(h.node, sup, 'w');
    await deliver(h, { poison: 1 });
    await deliver(h, 'hello');
    expect(await h.node.call(w, 'handled?')).toBe(1); // 'hello' was handled; the poison was not
    await deliver(h, { poison: 2 }); // a different message has its own count
    expect(await pidOf(h.node, sup, 'w')).not.toEqual(w);
    expect(h.node.deadLetters.countOf('poison-message')).toBe(1);
  });

  it('rejects a call with a quarantined request with ERR_POISON_MESSAGE, and the server lives on', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, guarded({ threshold: 2 }));
    for (let i = 0; i < 2; i++) {
      const error = await h.node.call('w', { poison: 7 }).catch((e: unknown) => e);
      expect(isWardenError(error, 'ERR_EXIT')).toBe(true);
      await h.clock.settle();
    }
    const w = await pidOf(h.node, sup, 'w');
    const error = await h.node.call('w', { poison: 7 }).catch((e: unknown) => e);
    expect(isWardenError(error, 'ERR_POISON_MESSAGE')).toBe(true);
    expect(h.node.isAlive(w)).toBe(true);
    expect(await h.node.call('w', 'ping')).toBe(0);
  });

  it('forgets crashes older than windowMs (the window is inclusive, as for intensity)', async () => {
    const h = createHarness();
    const { sup } = await startUnderParent(h.node, guarded({ threshold: 2, windowMs: 1000 }));
    for (let i = 0; i < 2; i++) await deliver(h, { poison: 1 });
    await h.clock.advance(1000);
    await deliver(h, { poison: 1 });
    expect(h.node.deadLetters.countOf('poison-message')).toBe(1); // still inside the window
    const w = await pidOf(h.node, sup, 'w');
    await h.clock.advance(1);
    await deliver(h, { poison: 1 }); // both crashes have left the window: it is handled again
    expect(h.node.deadLetters.countOf('poison-message')).toBe(1);
    expect(await pidOf(h.node, sup, 'w')).not.toEqual(w);
  });
});

describe('Poison messages with createPoisonGuard', () => {
  it('quarantines across processes that share a guard passed in spawn options', async () => {
    const h = createHarness();
    const guard = createPoisonGuard({ threshold: 2 });
    const spawned: Pid[] = [];
    for (let i = 0; i < 3; i++) {
      const pid = h.node.spawn(fragile, { poison: guard });
      spawned.push(pid);
      h.node.send(pid, { poison: 1 });
      await h.clock.settle();
    }
    expect(spawned.map((p) => h.node.isAlive(p))).toEqual([false, false, true]);
    expect(h.node.deadLetters.countOf('poison-message')).toBe(1);
  });

  it('quarantines across restarts when the guard is given in a child spec', async () => {
    const h = createHarness();
    const guard = createPoisonGuard({ threshold: 2, windowMs: 5000 });
    const { sup } = await startUnderParent(h.node, {
      intensity: 20,
      children: [{ id: 'w', start: { behaviour: fragile, options: { name: 'w', poison: guard } } }],
    });
    for (let i = 0; i < 2; i++) await deliver(h, { poison: 1 });
    const w = await pidOf(h.node, sup, 'w');
    await deliver(h, { poison: 1 });
    expect(await pidOf(h.node, sup, 'w')).toEqual(w);
    expect(h.node.deadLetters.countOf('poison-message')).toBe(1);
  });
});
