// Issue 5.8: runtime switches with subscriptions; every switch is an event.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { FeatureFlags, isResilienceError, type ResilienceEvent } from '../src/index.js';
import { thrown } from './settle.js';

function setup() {
  const clock = new TestClock();
  const events: ResilienceEvent[] = [];
  const flags = new FeatureFlags({
    clock,
    flags: { search: true, beta: false },
    observer: (e) => events.push(e),
  });
  return { clock, flags, events };
}

describe('FeatureFlags', () => {
  it('switches a capability off and on at runtime, announcing each change with its reason', async () => {
    const { clock, flags, events } = setup();
    await clock.advance(5);
    expect(flags.disable('search', 'provider incident')).toBe(true);
    expect(flags.isEnabled('search')).toBe(false);
    expect(flags.enable('search')).toBe(true);
    expect(events).toEqual([
      {
        type: 'flag.changed',
        time: 5,
        source: 'feature-flags',
        flag: 'search',
        enabled: false,
        reason: 'provider incident',
      },
      {
        type: 'flag.changed',
        time: 5,
        source: 'feature-flags',
        flag: 'search',
        enabled: true,
        reason: undefined,
      },
    ]);
  });

  it('says nothing when a set does not change the flag', () => {
    const { flags, events } = setup();
    expect(flags.enable('search')).toBe(false);
    expect(events).toEqual([]);
  });

  it('tells subscribers of that flag, until they unsubscribe', () => {
    const { flags } = setup();
    const seen: boolean[] = [];
    const stop = flags.subscribe('beta', (on) => seen.push(on));
    flags.enable('beta');
    flags.disable('search');
    stop();
    flags.disable('beta');
    expect(seen).toEqual([true]);
  });

  it('guards a capability with ERR_FEATURE_DISABLED while it is off, announcing the denial', () => {
    const { flags, events } = setup();
    expect(flags.guard('search', () => 'results')).toBe('results');
    flags.disable('search');
    expect(
      isResilienceError(
        thrown(() => flags.guard('search', () => 'results')),
        'ERR_FEATURE_DISABLED',
      ),
    ).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'flag.denied', flag: 'search' });
    expect(events.filter((e) => e.type === 'flag.denied')).toHaveLength(1);
  });

  it('treats an undeclared flag as an error, not as off', () => {
    const { flags } = setup();
    expect(
      isResilienceError(
        thrown(() => flags.isEnabled('serch')),
        'ERR_UNKNOWN_FLAG',
      ),
    ).toBe(true);
    expect(
      isResilienceError(
        thrown(() => flags.set('serch', true)),
        'ERR_UNKNOWN_FLAG',
      ),
    ).toBe(true);
  });

  it('shows a flag as a level health: closed while on, open while off', () => {
    const { flags } = setup();
    const health = flags.health('search');
    let changes = 0;
    health.onStateChange(() => changes++);
    expect(health.state).toBe('closed');
    flags.disable('search');
    expect(health.state).toBe('open');
    expect(changes).toBe(1);
  });

  it('rejects a non-boolean initial value naming the flag', () => {
    const error = thrown(
      () => new FeatureFlags({ clock: new TestClock(), flags: { x: 'yes' as never } }),
    );
    expect((error as { field: string }).field).toBe('flags.x');
  });

  it('keeps a snapshot of every flag', () => {
    const { flags } = setup();
    flags.enable('beta');
    expect(flags.snapshot()).toEqual({ search: true, beta: true });
  });
});
