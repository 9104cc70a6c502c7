import { SpanStatusCode } from '@opentelemetry/api';
import { defineActor, type Pid, startSupervisor } from '@warden/core';
import { SpawnOnceGuard } from '@warden/resilience';
import { describe, expect, it } from 'vitest';
import { instrumentNode } from '../src/index.js';
import { only, parentOf, spanWorld } from './span-world.js';

const fragile = defineActor<number, undefined>({
  init: () => 0,
  handleInfo: (message) => {
    throw new Error(`cannot handle ${String(message)}`);
  },
});

describe('instrumentNode: supervision spans', () => {
  it('nests each restart under the crash report that caused it and links the escalation to every restart it counted', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const top = await startSupervisor(node, {
      intensity: 2,
      period: 60_000,
      children: [{ id: 'worker', start: { behaviour: fragile, options: { name: 'worker' } } }],
    });
    for (let i = 0; i < 3; i++) {
      node.send('worker', `poison-${i}`);
      await clock.settle();
    }
    expect(node.isAlive(top as Pid)).toBe(false);
    stop();

    const all = spans();
    const crashes = all.filter((s) => s.name === 'actor.crash');
    const restarts = all.filter((s) => s.name === 'supervisor.restart worker');
    expect(crashes).toHaveLength(3);
    expect(restarts).toHaveLength(2);
    for (const [i, restart] of restarts.entries()) {
      const crash = crashes[i];
      expect(parentOf(restart)).toBe(crash?.spanContext().spanId);
      expect(restart.spanContext().traceId).toBe(crash?.spanContext().traceId);
      expect(restart.links[0]?.context.spanId).toBe(crash?.spanContext().spanId);
      expect(restart.attributes['warden.child.pid']).toBeTypeOf('string');
    }
    for (const [i, crash] of crashes.entries()) {
      expect(crash.status.code).toBe(SpanStatusCode.ERROR);
      expect(crash.attributes['warden.crash.phase']).toBe('handler');
      expect(crash.attributes['warden.crash.last_message']).toContain(`poison-${i}`);
      expect(crash.events[0]?.name).toBe('exception');
    }
    // The third crash passed the intensity: the escalation sits under it and links the restarts.
    const escalation = only(all, 'supervisor.escalate');
    expect(parentOf(escalation)).toBe(crashes[2]?.spanContext().spanId);
    expect(escalation.links.map((l) => l.context.spanId)).toEqual(
      restarts.map((r) => r.spanContext().spanId),
    );
    expect(escalation.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('ends a restart failed when the child does not start again', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    let starts = 0;
    const once = defineActor<number, undefined>({
      init: () => {
        starts++;
        if (starts > 1) throw new Error('no second start');
        return 0;
      },
      handleInfo: () => {
        throw new Error('boom');
      },
    });
    await startSupervisor(node, {
      children: [{ id: 'once', start: { behaviour: once, options: { name: 'once' } } }],
    });
    node.send('once', 'crash');
    await clock.settle();
    stop();
    const restarts = spans().filter((s) => s.name === 'supervisor.restart once');
    expect(restarts.length).toBeGreaterThan(0);
    const first = restarts[0] as (typeof restarts)[0];
    expect(first.status.code).toBe(SpanStatusCode.ERROR);
    expect(first.attributes['error.type']).toBe('start_failed');
  });

  it('makes a span of a spawn-once join published on the node', async () => {
    const { node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    const worker = async (ctx: { receive: () => Promise<unknown> }) => {
      await ctx.receive();
    };
    const sup = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      children: [{ id: 'sync', start: { behaviour: worker }, restart: 'temporary' }],
    })) as Pid;
    const guard = new SpawnOnceGuard({
      node,
      supervisor: sup,
      observer: (event) => node.publish(event),
    });
    const first = await guard.spawnOnce('memory-sync', { extra: undefined });
    const second = await guard.spawnOnce('memory-sync', { extra: undefined });
    expect(second.outcome).toBe('joined');
    stop();
    const join = only(spans(), 'spawn_once.join');
    expect(join.attributes).toMatchObject({
      'warden.key': 'memory-sync',
      'warden.source': 'spawn-once',
    });
    expect(join.attributes['warden.pid']).toBe(
      String(first.outcome === 'queued' ? first.running : first.pid),
    );
  });

  it('records nothing and costs no span after it is stopped', async () => {
    const { clock, node, provider, spans } = spanWorld();
    const stop = instrumentNode(node, { tracer: provider.getTracer('test'), metrics: false });
    stop();
    stop(); // idempotent
    await startSupervisor(node, {
      children: [{ id: 'worker', start: { behaviour: fragile, options: { name: 'worker' } } }],
    });
    node.send('worker', 'poison');
    await clock.settle();
    expect(spans()).toEqual([]);
    expect(node.observed).toBe(false);
  });

  it('rejects a value that is not a node, and bad options, naming the field', () => {
    const { node } = spanWorld();
    expect(() => instrumentNode({} as never)).toThrow(/node/);
    expect(() => instrumentNode(node, { traces: 'yes' as never })).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', field: 'traces' }),
    );
    expect(() => instrumentNode(node, { epochOf: 3 as never })).toThrow(/epochOf/);
    expect(node.observed).toBe(false);
  });
});
