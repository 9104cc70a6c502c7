// Issue 5.7: the degradation ladder: breakers choose the level, changes are announced, the queue
// level loses nothing and replays in order.
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import {
  DegradationLadder,
  FeatureFlags,
  isResilienceError,
  type Level,
  type ResilienceEvent,
  type Served,
} from '../src/index.js';
import { FakeBreaker } from './fake-breaker.js';
import { thrown, track } from './settle.js';

function setup(queueCapacity = 10) {
  const clock = new TestClock();
  const primary = new FakeBreaker();
  const fallback = new FakeBreaker();
  const served: string[] = [];
  const events: ResilienceEvent[] = [];
  const serve = (level: string, mark: string) => (q: string) => {
    served.push(`${level}:${q}`);
    return `${mark}(${q})`;
  };
  const levels: Level<string, string>[] = [
    { name: 'primary', health: primary, serve: serve('primary', 'P') },
    { name: 'fallback', health: fallback, serve: serve('fallback', 'F') },
    { name: 'later', queue: true },
  ];
  const ladder = new DegradationLadder({
    clock,
    levels,
    queueCapacity,
    observer: (e) => events.push(e),
  });
  return { clock, primary, fallback, served, events, ladder };
}

const answered = (s: Served<string>) => (s.queued ? undefined : { level: s.level, value: s.value });

describe('degradation ladder: choosing the level', () => {
  it('serves from the best level whose breaker is not open', async () => {
    const { ladder, primary } = setup();
    expect(answered(await ladder.execute('q'))).toEqual({ level: 'primary', value: 'P(q)' });
    primary.set('open');
    expect(answered(await ladder.execute('q'))).toEqual({ level: 'fallback', value: 'F(q)' });
    primary.set('half-open'); // a trial is allowed through
    expect(ladder.level).toBe('primary');
  });

  it('announces every change of level, as an event and to subscribers', () => {
    const { ladder, primary, fallback, events } = setup();
    const seen: [string | undefined, string | undefined][] = [];
    ladder.onLevelChange((to, from) => seen.push([to, from]));
    primary.set('open');
    fallback.set('open');
    primary.set('half-open');
    expect(seen).toEqual([
      ['fallback', 'primary'],
      ['later', 'fallback'],
      ['primary', 'later'],
    ]);
    expect(events.filter((e) => e.type === 'degrade.level_changed')).toHaveLength(3);
  });

  it('passes a request down when a level fails before its breaker trips', async () => {
    const clock = new TestClock();
    const events: ResilienceEvent[] = [];
    const ladder = new DegradationLadder<string, string>({
      clock,
      observer: (e) => events.push(e),
      levels: [
        { name: 'primary', serve: () => Promise.reject(new Error('503')) },
        { name: 'static', serve: () => 'sorry, later' },
      ],
    });
    expect(answered(await ladder.execute('q'))).toEqual({ level: 'static', value: 'sorry, later' });
    expect(events).toEqual([
      {
        type: 'degrade.fell_through',
        time: 0,
        source: 'degradation-ladder',
        from: 'primary',
        error: 'Error: 503',
      },
    ]);
  });

  it('fails with ERR_DEGRADED when no level can serve and there is no queue', async () => {
    const clock = new TestClock();
    const b = new FakeBreaker();
    b.set('open');
    const ladder = new DegradationLadder<string, string>({
      clock,
      levels: [{ name: 'only', health: b, serve: () => 'x' }],
    });
    expect(ladder.level).toBeUndefined();
    await expect(ladder.execute('q')).rejects.toMatchObject({ code: 'ERR_DEGRADED' });
  });
});

describe('degradation ladder: the queue level', () => {
  it('accepts requests while every level above is open and replays them in order on recovery', async () => {
    const { clock, ladder, primary, fallback, served } = setup();
    primary.set('open');
    fallback.set('open');
    const tickets = await Promise.all(['a', 'b', 'c'].map((q) => ladder.execute(q)));
    expect(tickets.every((t) => t.queued)).toBe(true);
    expect(ladder.queued).toBe(3);
    const results = tickets.map((t) => (t.queued ? track(t.result) : undefined));
    fallback.set('half-open');
    await clock.settle();
    expect(served).toEqual(['fallback:a', 'fallback:b', 'fallback:c']);
    expect(results.map((r) => r?.value)).toEqual([
      { level: 'fallback', value: 'F(a)' },
      { level: 'fallback', value: 'F(b)' },
      { level: 'fallback', value: 'F(c)' },
    ]);
    expect(ladder.queued).toBe(0);
  });

  it('keeps order across the outage: new requests queue behind the ones waiting', async () => {
    const { clock, ladder, primary, fallback, served } = setup();
    primary.set('open');
    fallback.set('open');
    await ladder.execute('old');
    ladder.onLevelChange(() => {
      void ladder.execute('new'); // arrives while 'old' still waits
    });
    primary.set('closed');
    await clock.settle();
    expect(served).toEqual(['primary:old', 'primary:new']);
  });

  it('rejects with ERR_DEGRADED when the queue is full, and loses nothing it accepted', async () => {
    const { clock, ladder, primary, fallback, served, events } = setup(2);
    primary.set('open');
    fallback.set('open');
    const accepted: string[] = [];
    let rejected = 0;
    for (const q of ['a', 'b', 'c', 'd']) {
      try {
        await ladder.execute(q);
        accepted.push(q);
      } catch (e) {
        expect(isResilienceError(e, 'ERR_DEGRADED')).toBe(true);
        rejected++;
      }
    }
    expect([accepted, rejected]).toEqual([['a', 'b'], 2]);
    expect(events.filter((e) => e.type === 'degrade.rejected')).toHaveLength(2);
    primary.set('closed');
    await clock.settle();
    expect(served).toEqual(['primary:a', 'primary:b']);
  });

  it('hands a request back after maxReplays failed replays, and says so', async () => {
    const clock = new TestClock();
    const b = new FakeBreaker();
    const events: ResilienceEvent[] = [];
    const ladder = new DegradationLadder<string, string>({
      clock,
      maxReplays: 2,
      observer: (e) => events.push(e),
      levels: [
        { name: 'primary', health: b, serve: () => Promise.reject(new Error('still down')) },
        { name: 'later', queue: true },
      ],
    });
    const ticket = await ladder.execute('q'); // primary fails: queued
    expect(ticket.queued).toBe(true);
    if (!ticket.queued) return;
    const result = track(ticket.result);
    await clock.settle(); // first replay fails at once
    b.set('open');
    b.set('closed'); // second replay fails: handed back
    await clock.settle();
    expect(isResilienceError(result.error, 'ERR_DEGRADED')).toBe(true);
    expect(ladder.queued).toBe(0);
    expect(events.filter((e) => e.type === 'degrade.handed_back')).toMatchObject([
      { id: ticket.id, replays: 2 },
    ]);
  });

  it('hands queued requests back with ERR_CLOSED on close and unsubscribes from every breaker', async () => {
    const { clock, ladder, primary, fallback } = setup();
    primary.set('open');
    fallback.set('open');
    const ticket = await ladder.execute('q');
    const result = ticket.queued ? track(ticket.result) : undefined;
    ladder.close();
    await clock.settle();
    expect(isResilienceError(result?.error, 'ERR_CLOSED')).toBe(true);
    expect(primary.listeners + fallback.listeners).toBe(0);
  });
});

describe('degradation ladder: feature flags and options', () => {
  it('switches a level off and on through a feature flag', async () => {
    const clock = new TestClock();
    const flags = new FeatureFlags({ clock, flags: { 'model-answers': true } });
    const ladder = new DegradationLadder<string, string>({
      clock,
      levels: [
        { name: 'model', health: flags.health('model-answers'), serve: () => 'model' },
        { name: 'static', serve: () => 'static' },
      ],
    });
    flags.disable('model-answers', 'cost spike');
    expect(ladder.level).toBe('static');
    flags.enable('model-answers');
    expect(ladder.level).toBe('model');
  });

  it.each([
    ['levels', []],
    [
      'levels[1].name',
      [
        { name: 'a', serve: () => 1 },
        { name: 'a', serve: () => 2 },
      ],
    ],
    [
      'levels[0].queue',
      [
        { name: 'q', queue: true },
        { name: 'a', serve: () => 1 },
      ],
    ],
    ['levels[0].serve', [{ name: 'a' }]],
  ])('rejects bad %s naming it', (field, levels) => {
    const error = thrown(
      () => new DegradationLadder({ clock: new TestClock(), levels: levels as never }),
    );
    expect((error as { field: string }).field).toBe(field);
  });
});
