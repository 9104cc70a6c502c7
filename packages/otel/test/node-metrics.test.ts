import { request } from 'node:http';
import { defineAgent, MemoryMemoryStore, recallTool, runTask } from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { defineActor, type Pid, startSupervisor } from '@warden/core';
import { afterEach, describe, expect, it } from 'vitest';
import { instrumentNode, type MetricsEndpoint, serveMetrics } from '../src/index.js';
import { metricsWorld, pointOf } from './metrics-world.js';
import { outcomeOf, spanWorld } from './span-world.js';

const fragile = defineActor<number, undefined>({
  init: () => 0,
  handleInfo: () => {
    throw new Error('boom');
  },
});

/** A GET over HTTP on 127.0.0.1, answered with its status, content type and body. */
function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          type: String(response.headers['content-type']),
          body,
        }),
      );
    })
      .on('error', reject)
      .end();
  });
}

let endpoint: MetricsEndpoint | undefined;
afterEach(async () => {
  await endpoint?.close();
  endpoint = undefined;
});

describe('instrumentNode: metrics', () => {
  it('counts restarts and escalations per supervisor, crashes and dead letters by reason', async () => {
    const { clock, node } = spanWorld();
    const { reader, provider } = metricsWorld();
    const stop = instrumentNode(node, { meter: provider.getMeter('test'), traces: false });
    const top = (await startSupervisor(node, {
      intensity: 1,
      period: 60_000,
      children: [{ id: 'worker', start: { behaviour: fragile, options: { name: 'worker' } } }],
    })) as Pid;
    node.send('worker', 'a');
    await clock.settle();
    node.send('worker', 'b');
    await clock.settle();
    node.send('nobody-here', 'lost');
    const supervisor = top.toString();
    expect(
      await pointOf(reader, 'warden.supervisor.restarts', {
        'warden.supervisor': supervisor,
        'warden.child.id': 'worker',
      }),
    ).toBe(1);
    expect(
      await pointOf(reader, 'warden.supervisor.escalations', {
        'warden.supervisor': supervisor,
        'warden.escalation.cause': 'intensity',
      }),
    ).toBe(1);
    expect(await pointOf(reader, 'warden.actor.crashes', { 'warden.crash.phase': 'handler' })).toBe(
      2,
    );
    expect(
      await pointOf(reader, 'warden.deadletters', { 'warden.deadletter.reason': 'unknown-name' }),
    ).toBe(1);
    stop();
  });

  it('counts tokens, cost, steps and tool calls per agent and model', async () => {
    const { clock, node } = spanWorld();
    const { reader, provider } = metricsWorld();
    const stop = instrumentNode(node, {
      meter: provider.getMeter('test'),
      traces: false,
      prices: { 'scripted-large': { inputPerMTok: 3, outputPerMTok: 15 } },
    });
    const model = createScriptedModel({
      clock,
      model: 'scripted-large',
      script: [{ toolCalls: [{ name: 'recall', input: { query: 'x' } }] }, { text: 'done' }],
    });
    const agent = defineAgent({
      name: 'planner',
      model,
      system: '',
      tools: [recallTool(new MemoryMemoryStore())],
    });
    const result = outcomeOf(runTask(node, node.spawn(agent), 'go'));
    await clock.advance(1_000);
    const spent = result.value().spent;
    const base = { 'gen_ai.agent.name': 'planner', 'gen_ai.response.model': 'scripted-large' };
    expect(await pointOf(reader, 'warden.agent.steps', base)).toBe(2);
    expect(
      await pointOf(reader, 'warden.agent.tokens', { ...base, 'gen_ai.token.type': 'input' }),
    ).toBe(spent.inputTokens);
    expect(
      await pointOf(reader, 'warden.agent.tokens', { ...base, 'gen_ai.token.type': 'output' }),
    ).toBe(spent.outputTokens);
    expect(await pointOf(reader, 'warden.agent.cost', base)).toBeCloseTo(
      (spent.inputTokens * 3 + spent.outputTokens * 15) / 1e6,
      12,
    );
    expect(
      await pointOf(reader, 'warden.agent.tool_calls', {
        'gen_ai.agent.name': 'planner',
        'gen_ai.tool.name': 'recall',
        'warden.tool.outcome': 'ok',
      }),
    ).toBe(1);
    stop();
  });

  it('reads the process count and the mailbox depth of registered processes when collected', async () => {
    const { node } = spanWorld();
    const { reader, provider } = metricsWorld();
    const stop = instrumentNode(node, { meter: provider.getMeter('test'), traces: false });
    // A process that never reads its mailbox: what it is sent waits there.
    const sink = node.spawn(async (ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    });
    node.register('sink', sink);
    for (let i = 0; i < 7; i++) node.send(sink, i);
    expect(await pointOf(reader, 'warden.node.processes')).toBe(node.processes().length);
    expect(await pointOf(reader, 'warden.mailbox.depth', { 'warden.process': 'sink' })).toBe(7);
    expect(await pointOf(reader, 'warden.mailbox.depth.max')).toBe(7);
    const before = node.processes().length;
    stop();
    // Once stopped, the node is no longer read: a process started after does not show.
    node.spawn(async () => {});
    node.spawn(async (ctx) => {
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve()));
    });
    expect(node.processes().length).toBeGreaterThan(before);
    expect(await pointOf(reader, 'warden.node.processes')).not.toBe(node.processes().length);
  });
});

describe('serveMetrics', () => {
  it('serves the metrics in the Prometheus text format on 127.0.0.1', async () => {
    const { clock, node } = spanWorld();
    const { reader, provider } = metricsWorld();
    const stop = instrumentNode(node, { meter: provider.getMeter('test'), traces: false });
    await startSupervisor(node, {
      children: [{ id: 'worker', start: { behaviour: fragile, options: { name: 'worker' } } }],
    });
    node.send('worker', 'a');
    await clock.settle();
    endpoint = await serveMetrics({ reader, port: 0 });
    expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}/metrics`);
    const scraped = await get(endpoint.url);
    expect(scraped.status).toBe(200);
    expect(scraped.type).toContain('text/plain; version=0.0.4');
    expect(scraped.body).toContain('# TYPE warden_supervisor_restarts_total counter');
    expect(scraped.body).toMatch(
      /^warden_supervisor_restarts_total\{warden_supervisor="<otel\.\d+>",warden_child_id="worker"\} 1$/m,
    );
    expect(scraped.body).toContain('# TYPE warden_node_processes gauge');
    expect(scraped.body).toMatch(/^warden_actor_crashes_total\{warden_crash_phase="handler"\} 1$/m);
    expect((await get(endpoint.url.replace('/metrics', '/other'))).status).toBe(404);
    stop();
  });

  it('answers 500 with the reason when collecting fails, and goes on serving', async () => {
    let fail = true;
    endpoint = await serveMetrics({
      port: 0,
      reader: {
        collect: async () => {
          if (fail) throw new Error('reader shut down');
          return { resourceMetrics: { scopeMetrics: [] } };
        },
      },
    });
    const failed = await get(endpoint.url);
    expect([failed.status, failed.body]).toEqual([500, 'collect failed: reader shut down\n']);
    fail = false;
    expect((await get(endpoint.url)).status).toBe(200);
  });

  it('rejects a missing reader or a bad port, and a port in use with the listen error', async () => {
    await expect(serveMetrics({ reader: {} as never })).rejects.toMatchObject({
      code: 'ERR_INVALID_ARGUMENT',
      field: 'reader',
    });
    const reader = { collect: async () => ({ resourceMetrics: { scopeMetrics: [] } }) };
    await expect(serveMetrics({ reader, port: 70_000 })).rejects.toMatchObject({ field: 'port' });
    endpoint = await serveMetrics({ reader, port: 0 });
    await expect(serveMetrics({ reader, port: endpoint.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
