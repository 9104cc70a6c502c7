// A resource mediator given a node closes when the node stops: its waiters are handed back with
// ERR_CLOSED and their timeout timers are cleared, so nothing outlives the node.
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { isResilienceError, ResourceMediator } from '../src/index.js';

describe('a resource mediator and its node', () => {
  it('rejects its waiters with ERR_CLOSED and clears their timers when the node stops', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'mediator-stop', clock });
    const mediator = new ResourceMediator({ clock: node.clock, node, resources: ['memory'] });
    await mediator.acquire('a', 'memory');
    const waiting = mediator.acquire('b', 'memory').catch((e: unknown) => e);
    expect(clock.pendingTimers).toBeGreaterThan(0);
    await node.stop();
    expect(isResilienceError(await waiting, 'ERR_CLOSED')).toBe(true);
    expect(clock.pendingTimers).toBe(0);
    const later = await mediator.acquire('c', 'memory').catch((e: unknown) => e);
    expect(isResilienceError(later, 'ERR_CLOSED')).toBe(true);
  });
});
