import { request } from 'node:http';
import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { CircuitBreaker } from '@warden/machines';
import { afterEach, describe, expect, it } from 'vitest';
import { startHealth } from '../../src/health/health.js';
import { type HealthServer, serveHealth } from '../../src/health/health-server.js';
import { livenessCheck } from '../../src/health/liveness-check.js';
import { readinessCheck } from '../../src/health/readiness-check.js';

let node: Node | undefined;
let server: HealthServer | undefined;
afterEach(async () => {
  await server?.close();
  await node?.stop();
});

/** One request over a real socket, bounded by a timeout of its own. */
function get(
  url: string,
  method = 'GET',
): Promise<{ status: number; body: string; type: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, type: res.headers['content-type'] }),
      );
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

async function setup() {
  const clock = new TestClock();
  node = createNode({ name: 'http', clock });
  const breaker = new CircuitBreaker({ clock, name: 'openai' });
  const health = startHealth(node, {
    checks: [
      livenessCheck({ deadlineMs: 1_000 }),
      readinessCheck({ agent: 'triage', breakers: { openai: breaker } }),
    ],
  });
  await health.runNow();
  server = await serveHealth(node, health);
  return { clock, node, breaker, health, server };
}

describe('serveHealth: /healthz, /readyz and /health over HTTP', () => {
  it('listens on 127.0.0.1 on a free port by default', async () => {
    const { server } = await setup();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('answers 200 on all three while live and ready, with the JSON detail per agent and check', async () => {
    const { server } = await setup();
    expect(await get(`${server.url}/healthz`)).toMatchObject({
      status: 200,
      body: '{"status":"pass"}',
    });
    expect((await get(`${server.url}/readyz`)).status).toBe(200);
    const health = await get(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(health.type).toBe('application/json; charset=utf-8');
    const report = JSON.parse(health.body);
    expect(report).toMatchObject({ status: 'pass', live: true, ready: true, time: 0 });
    expect(report.agents.node[0]).toMatchObject({ name: 'scheduler', level: 'L1', status: 'pass' });
    expect(report.agents.triage[0]).toMatchObject({
      name: 'ready:triage',
      level: 'L2',
      status: 'pass',
      lastRunAt: 0,
    });
    expect(report.agents.triage[0].history.at(-1)).toEqual({
      status: 'pass',
      detail: { checked: 1 },
      at: 0,
      durationMs: 0,
    });
  });

  it('answers 503 on /readyz (and 200 on /healthz) while a dependency is down', async () => {
    const { server, breaker, health } = await setup();
    breaker.isolate();
    await health.runNow();
    expect((await get(`${server.url}/healthz`)).status).toBe(200);
    const ready = await get(`${server.url}/readyz`);
    expect(ready).toMatchObject({ status: 503, body: '{"status":"fail"}' });
    const report = JSON.parse((await get(`${server.url}/health`)).body);
    expect(report.status).toBe('degraded');
    expect(report.agents.triage[0].detail.down).toEqual({ 'breaker:openai': 'isolated' });
    breaker.dispose();
  });

  it('answers 503 on /healthz when liveness fails', async () => {
    const clock = new TestClock();
    node = createNode({ name: 'dead', clock });
    const health = startHealth(node, { checks: [livenessCheck({ agent: 'gone' })] });
    await health.runNow();
    server = await serveHealth(node, health);
    expect((await get(`${server.url}/healthz`)).status).toBe(503);
    expect((await get(`${server.url}/readyz`)).status).toBe(503);
    const detail = await get(`${server.url}/health`);
    expect(detail.status).toBe(503);
    expect(JSON.parse(detail.body).status).toBe('fail');
  });

  it('answers 404 for other paths, 405 for other methods, and HEAD without a body', async () => {
    const { server } = await setup();
    expect((await get(`${server.url}/metrics`)).status).toBe(404);
    expect((await get(`${server.url}/healthz`, 'POST')).status).toBe(405);
    expect(await get(`${server.url}/healthz`, 'HEAD')).toMatchObject({ status: 200, body: '' });
  });

  it('closes with the node', async () => {
    const { server, node } = await setup();
    await node.stop();
    await server.close(); // already closing: the same promise
    await expect(get(`${server.url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
