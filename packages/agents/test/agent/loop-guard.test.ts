import { describe, expect, it } from 'vitest';
import { isAgentError } from '../../src/agent/agent-error.js';
import { LoopGuard } from '../../src/agent/loop-guard.js';

describe('loop guard', () => {
  it('treats reordered arguments as the same call, nudges once, then exits', () => {
    const guard = new LoopGuard({ repeatedCalls: 3 });
    expect(guard.call('search', { q: 'refund', limit: 5 }).kind).toBe('ok');
    expect(guard.call('search', { limit: 5, q: 'refund' }).kind).toBe('ok');
    const third = guard.call('search', { q: 'refund', limit: 5 });
    expect(third.kind).toBe('nudge');
    const fourth = guard.call('search', { q: 'refund', limit: 5 });
    expect(fourth.kind).toBe('exit');
    expect(fourth.kind === 'exit' && isAgentError(fourth.error, 'ERR_LOOP_DETECTED')).toBe(true);
  });

  it('does not trip on different arguments or on calls that left the window', () => {
    const guard = new LoopGuard({ repeatedCalls: 2, window: 3 });
    expect(guard.call('read', { path: '/a' }).kind).toBe('ok');
    expect(guard.call('read', { path: '/b' }).kind).toBe('ok');
    expect(guard.call('read', { path: '/c' }).kind).toBe('ok');
    expect(guard.call('read', { path: '/d' }).kind).toBe('ok');
    expect(guard.call('read', { path: '/a' }).kind).toBe('ok');
  });

  it('exits at once when configured to', () => {
    const guard = new LoopGuard({ repeatedOutputs: 2, action: 'exit' });
    expect(guard.output('I will check again.').kind).toBe('ok');
    expect(guard.output('I will check again.').kind).toBe('exit');
  });

  it('ignores empty outputs and arguments without a canonical form do not throw', () => {
    const guard = new LoopGuard({ repeatedOutputs: 2, repeatedCalls: 2 });
    expect(guard.output('  ').kind).toBe('ok');
    expect(guard.output('').kind).toBe('ok');
    expect(guard.call('x', { n: Number.NaN }).kind).toBe('ok');
    expect(guard.call('x', { n: Number.NaN }).kind).not.toBe('ok');
  });
});
