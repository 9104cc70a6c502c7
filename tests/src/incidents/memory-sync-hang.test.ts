// Incident replay: the memory-sync hang. A context monitor fires every 6 minutes and
// each firing starts a 4-minute-plus memory-sync subagent contending for the same files and
// quota. Without a guard the duplicates pile up and the system hangs until a watchdog fires
// (~35 minutes in the original report); with spawnOnce there is never more than one sync,
// nothing hangs, and the watchdog still catches a sync that hangs by itself.
import { describe, expect, it } from 'vitest';
import { buildWorld, INCIDENT, MINUTE, run, type World } from './memory-sync-world.js';

const minutes = (ms: number) => ms / MINUTE;
const silences = (world: World) => world.events.filter((e) => e.type === 'watchdog.silent');

describe('memory-sync hang: without the guard (the original incident)', () => {
  it('piles up duplicate syncs that contend for the same files and quota', async () => {
    const world = await buildWorld(INCIDENT, { guarded: false });
    const alive = await run(world, 60);
    expect(world.firings.map((f) => f.outcome)).toEqual(Array(10).fill('started'));
    expect(alive[11]).toBe(2); // minute 12: the backlog sync overran the next firing
    expect(alive[17]).toBe(3);
    expect(Math.max(...alive)).toBeGreaterThanOrEqual(4);
    // Each firing starts yet another sync: far more syncs than ever finish.
    expect(world.syncs.length).toBe(10);
    expect(world.completed.length).toBe(1);
  });

  it('hangs: no sync finishes after the pile-up, until the watchdog fires at about 35 minutes', async () => {
    const world = await buildWorld(INCIDENT, { guarded: false });
    await run(world, 60);
    const [first] = silences(world);
    expect(first).toBeDefined();
    const firedAt = minutes((first as { time: number }).time);
    expect(firedAt).toBeGreaterThan(30);
    expect(firedAt).toBeLessThan(40);
    // Silent for the full timeout: the holder of the files has made no progress since the hang.
    expect((first as { silentMs: number }).silentMs).toBeCloseTo(INCIDENT.watchdogTimeoutMs, 0);
    // Nothing completed in the half hour before the watchdog fired...
    expect(world.completed.every((c) => minutes(c.at) < firedAt - 10)).toBe(true);
    // ...and the watchdog alone cannot cure it: the duplicates keep coming, it keeps firing.
    expect(silences(world).length).toBeGreaterThanOrEqual(3);
    expect(world.completed.length).toBe(1);
  });
});

describe('memory-sync hang: with spawnOnce', () => {
  it('never runs more than one sync, joins the firings that find one running, and never hangs', async () => {
    const world = await buildWorld(INCIDENT, { guarded: true });
    const alive = await run(world, 60);
    expect(Math.max(...alive)).toBe(1);
    const outcomes = world.firings.map((f) => f.outcome);
    expect(outcomes.slice(0, 3)).toEqual(['started', 'joined', 'joined']); // the backlog sync runs long
    expect(outcomes.filter((o) => o === 'started').length).toBe(world.syncs.length);
    expect(silences(world)).toEqual([]);
    // started and ended alternate: a second sync never starts while one runs
    const lifecycle = world.events.filter(
      (e) => e.type === 'spawn.started' || e.type === 'spawn.ended',
    );
    expect(lifecycle.map((e) => e.type)).toEqual(
      lifecycle.map((_, i) => (i % 2 === 0 ? 'spawn.started' : 'spawn.ended')),
    );
    // every sync but possibly the last (still at work at minute 60) wrote the memory files
    expect(world.completed.length).toBeGreaterThanOrEqual(world.syncs.length - 1);
    expect(world.completed.length).toBeGreaterThanOrEqual(7);
  });

  it('still lets the watchdog catch a sync that hangs by itself, and the next firing starts a fresh one', async () => {
    const world = await buildWorld(INCIDENT, { guarded: true, hangingSync: 4 }); // the firing at 24 min
    const alive = await run(world, 60);
    expect(Math.max(...alive)).toBe(1);
    const hung = world.syncs[1]; // the first sync joined firings 2 and 3; this one started at 24
    const caught = silences(world);
    expect(caught.map((e) => (e as { pid: { key: string } }).pid.key)).toEqual([hung?.key]);
    const caughtAt = minutes((caught[0] as { time: number }).time);
    expect(caughtAt).toBeGreaterThan(24);
    expect(caughtAt).toBeLessThan(31);
    expect(world.node.isAlive(hung as NonNullable<typeof hung>)).toBe(false);
    // the guard saw it go (through its monitor) and the next firing started a fresh sync
    const after = world.firings.find((f) => minutes(f.at) > caughtAt);
    expect(after?.outcome).toBe('started');
    expect(world.completed.some((c) => minutes(c.at) > caughtAt)).toBe(true);
  });
});
