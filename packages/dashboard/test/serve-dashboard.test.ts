import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTask } from '@warden/agents';
import { createNode, defineActor, isWardenError, type Node, type Pid } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { DeadLetterQueue } from '@warden/resilience';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiErrorBody,
  type DashboardServer,
  type DashboardSnapshot,
  isLoopback,
  serveDashboard,
  type TraceView,
} from '../src/index.js';
import { send } from './http-client.js';
import { ApprovalDesk, MemoryEffectJournal, opsAgent, type Ran } from './world.js';

const idle = defineActor<null, undefined>({ init: () => null });

let uiDir: string;
beforeAll(() => {
  // A built page as Vite lays it out: index.html and a hashed asset.
  uiDir = mkdtempSync(join(tmpdir(), 'warden-dashboard-ui-'));
  mkdirSync(join(uiDir, 'assets'));
  writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(uiDir, 'assets', 'index-abc.js'), 'export {};');
});
afterAll(() => rmSync(uiDir, { recursive: true, force: true }));

const open: { node: Node; server: DashboardServer }[] = [];
afterEach(async () => {
  for (const { node, server } of open.splice(0)) {
    await server.close();
    await node.stop();
  }
});

async function world(options: Parameters<typeof serveDashboard>[1] = {}, clock = new TestClock()) {
  const node = createNode({ name: 'n1', clock });
  const server = await serveDashboard(node, { uiDir, ...options });
  open.push({ node, server });
  const base = `http://127.0.0.1:${server.port}`;
  const auth = { authorization: `Bearer ${server.token}` };
  return { clock, node, server, base, auth };
}

/** A node whose ops agent waits at the desk for `drop_database`. */
async function waitingWorld(input = { name: 'prod' }) {
  const clock = new TestClock();
  const desk = new ApprovalDesk({ clock });
  const journal = new MemoryEffectJournal();
  const w = await world({ approvals: desk, journal }, clock);
  const ran: Ran[] = [];
  const { agent, model } = opsAgent(
    w.clock,
    'ops',
    [{ toolCalls: [{ name: 'drop_database', input }] }, { text: 'finished' }],
    { desk, journal, ran },
  );
  const pid = w.node.spawn(agent);
  const result = runTask(w.node, pid, { task: 'drop it', threadId: 'th-1' });
  // A test that does not finish the task stops the node under it: that call fails, unawaited.
  result.catch(() => {});
  await w.clock.settle();
  const id = desk.pending()[0]?.id as string;
  return { ...w, desk, journal, ran, model, pid, result, id };
}

const json = (origin?: string) => ({
  'content-type': 'application/json',
  ...(origin === undefined ? {} : { origin }),
});

describe('serveDashboard', () => {
  it('binds 127.0.0.1 on a free port and prints a URL that carries a fresh token', async () => {
    const { server } = await world();
    const other = await world();
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(other.server.token).not.toBe(server.token);
  });

  it('refuses an address other hosts can reach unless allowRemote is set', async () => {
    const node = createNode({ name: 'n1', clock: new TestClock() });
    const error = await serveDashboard(node, { uiDir, host: '0.0.0.0' }).catch((e) => e);
    expect(isWardenError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(error.field).toBe('host');
    expect(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost')).toBe(true);
    expect(isLoopback('0.0.0.0') || isLoopback('192.168.1.2')).toBe(false);
    await node.stop();
  });

  it('refuses to start without a built page, saying how to build it', async () => {
    const node = createNode({ name: 'n1', clock: new TestClock() });
    const error = await serveDashboard(node, { uiDir: join(uiDir, 'nowhere') }).catch((e) => e);
    expect(isWardenError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect(error.message).toContain('vite build');
    await node.stop();
  });

  it('serves the page without a token, under a policy that forbids inline script', async () => {
    const { base } = await world();
    const page = await send(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('<title>t</title>');
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    const asset = await send(`${base}/assets/index-abc.js`);
    expect(asset.headers['content-type']).toContain('text/javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    for (const path of ['/nothing.js', '/../package.json', '/%2e%2e/package.json']) {
      const missing = await send(`${base}${path}`);
      expect(missing.status).toBe(404);
      expect(missing.json<ApiErrorBody>().error.code).toBe('ERR_NOT_FOUND');
    }
  });

  it('answers the API only with the token, never cached', async () => {
    const { base, auth, server } = await world();
    for (const headers of [
      {},
      { authorization: 'Bearer wrong' },
      { authorization: server.token },
    ]) {
      const refused = await send(`${base}/api/snapshot`, { headers });
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer');
      expect(refused.json<ApiErrorBody>().error.code).toBe('ERR_UNAUTHORIZED');
    }
    // The token in the query string is not a credential for the API.
    expect((await send(`${base}/api/snapshot?token=${server.token}`)).status).toBe(401);
    const ok = await send(`${base}/api/snapshot`, { headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.headers['cache-control']).toBe('no-store');
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
    const snapshot = ok.json<DashboardSnapshot>();
    expect(snapshot.nodes.map((n) => n.name)).toEqual(['n1']);
    expect(snapshot.approvalsEnabled).toBe(false);
  });

  it('refuses a request whose Host is not this server (DNS rebinding), even with the token', async () => {
    const { base, auth, server } = await world();
    const rebound = await send(`${base}/api/snapshot`, {
      headers: { ...auth, host: `evil.example:${server.port}` },
    });
    expect(rebound.status).toBe(403);
    expect(rebound.json<ApiErrorBody>().error.code).toBe('ERR_FORBIDDEN_HOST');
    expect((await send(`${base}/`, { headers: { host: 'evil.example' } })).status).toBe(403);
    const local = await send(`${base}/api/snapshot`, {
      headers: { ...auth, host: `localhost:${server.port}` },
    });
    expect(local.status).toBe(200);
  });

  it('approves a waiting call once, from the page origin with the token, and the tool runs once', async () => {
    const w = await waitingWorld();
    const url = `${w.base}/api/approvals/${w.id}/approve`;
    const body = JSON.stringify({ approver: 'ann' });
    const origin = `http://127.0.0.1:${w.server.port}`;
    const refusals: [Record<string, string>, string | Buffer, number, string][] = [
      [json(origin), body, 401, 'ERR_UNAUTHORIZED'],
      [{ ...w.auth, ...json('http://evil.example') }, body, 403, 'ERR_FORBIDDEN_ORIGIN'],
      [{ ...w.auth, ...json(), 'sec-fetch-site': 'cross-site' }, body, 403, 'ERR_FORBIDDEN_ORIGIN'],
      [
        { ...w.auth, 'content-type': 'text/plain', origin },
        body,
        415,
        'ERR_UNSUPPORTED_MEDIA_TYPE',
      ],
      [{ ...w.auth, ...json(origin) }, '{"approver":', 400, 'ERR_BAD_REQUEST'],
      [{ ...w.auth, ...json(origin) }, '[]', 400, 'ERR_BAD_REQUEST'],
      [{ ...w.auth, ...json(origin) }, '{"approver":""}', 400, 'ERR_BAD_REQUEST'],
      [{ ...w.auth, ...json(origin) }, '{"approver":"<b>x</b>"}', 400, 'ERR_BAD_REQUEST'],
      [{ ...w.auth, ...json(origin) }, '{"approver":"ann","role":"admin"}', 400, 'ERR_BAD_REQUEST'],
      [
        { ...w.auth, ...json(origin) },
        JSON.stringify({ approver: 'ann', reason: 'x'.repeat(20_000) }),
        413,
        'ERR_PAYLOAD_TOO_LARGE',
      ],
      [
        { ...w.auth, ...json(origin) },
        JSON.stringify({ approver: 'ops' }),
        403,
        'ERR_SELF_APPROVAL',
      ],
    ];
    for (const [headers, sent, status, code] of refusals) {
      const answer = await send(url, { method: 'POST', headers, body: sent });
      expect([answer.status, answer.json<ApiErrorBody>().error.code]).toEqual([status, code]);
    }
    expect(
      (
        await send(url, { method: 'POST', headers: { ...w.auth, ...json(origin) }, body: '{}' })
      ).json<ApiErrorBody>().error.field,
    ).toBe('approver');
    expect(w.desk.pending()).toHaveLength(1);
    expect(w.ran).toEqual([]);

    const unknown = await send(`${w.base}/api/approvals/apr-0-nope/approve`, {
      method: 'POST',
      headers: { ...w.auth, ...json(origin) },
      body,
    });
    expect([unknown.status, unknown.json<ApiErrorBody>().error.code]).toEqual([
      404,
      'ERR_UNKNOWN_REQUEST',
    ]);
    expect((await send(url, { headers: w.auth })).status).toBe(405);

    const approved = await send(url, {
      method: 'POST',
      headers: { ...w.auth, ...json(origin) },
      body,
    });
    expect(approved.status).toBe(200);
    expect(approved.json()).toMatchObject({ id: w.id, decision: 'approved', approver: 'ann' });
    await w.clock.settle();
    expect((await w.result).outcome).toBe('done');
    expect(w.ran).toEqual([{ tool: 'drop_database', input: { name: 'prod' } }]);
    // Asked again, the request is gone: a second approval cannot run it twice.
    const again = await send(url, {
      method: 'POST',
      headers: { ...w.auth, ...json(origin) },
      body,
    });
    expect(again.status).toBe(404);
    await w.clock.settle();
    expect(w.ran).toHaveLength(1);
    const entries = await w.journal.list('th-1');
    expect(entries.map((e) => [e.tool, e.state, e.decidedBy])).toEqual([
      ['drop_database', 'done', 'person:ann'],
    ]);
  });

  it('denies a waiting call, and the agent is told who denied it and why', async () => {
    const w = await waitingWorld({ name: 'staging' });
    const denied = await send(`${w.base}/api/approvals/${w.id}/deny`, {
      method: 'POST',
      headers: { ...w.auth, ...json() },
      body: JSON.stringify({ approver: 'bob', reason: 'not during the freeze' }),
    });
    expect(denied.status).toBe(200);
    await w.clock.settle();
    expect(w.ran).toEqual([]);
    const seen = w.model.calls.at(-1)?.request.messages.at(-1);
    expect(seen?.role).toBe('tool');
    expect(seen?.content[0]).toMatchObject({
      isError: true,
      output: {
        error: 'ERR_PERMISSION_DENIED',
        message: 'drop_database was not run: denied by person:bob: not during the freeze',
      },
    });
  });

  it('answers an approval with 409 when the dashboard has no desk', async () => {
    const { base, auth } = await world();
    const answer = await send(`${base}/api/approvals/apr-1/approve`, {
      method: 'POST',
      headers: { ...auth, ...json() },
      body: '{"approver":"ann"}',
    });
    expect([answer.status, answer.json<ApiErrorBody>().error.code]).toEqual([
      409,
      'ERR_NO_APPROVAL_DESK',
    ]);
  });

  it('lists the pending call with its arguments as text, and the agent awaiting approval', async () => {
    const w = await waitingWorld({ name: '<img src=x onerror=alert(1)>' });
    const snapshot = (
      await send(`${w.base}/api/snapshot`, { headers: w.auth })
    ).json<DashboardSnapshot>();
    expect(snapshot.approvalsEnabled).toBe(true);
    expect(snapshot.approvals).toMatchObject([
      {
        id: w.id,
        agent: 'ops',
        tool: 'drop_database',
        effect: 'irreversible',
        input: '{"name":"<img src=x onerror=alert(1)>"}',
        rule: 'rule:dba-approves',
      },
    ]);
    const agent = snapshot.nodes[0]?.processes.find((p) => p.kind === 'agent');
    expect(agent?.agent?.state).toBe('awaiting_approval');
  });

  it('serves the trace of an agent with its journal, and 404 for a key it does not know', async () => {
    const w = await waitingWorld();
    const snapshot = (
      await send(`${w.base}/api/snapshot`, { headers: w.auth })
    ).json<DashboardSnapshot>();
    const key = snapshot.nodes[0]?.processes.find((p) => p.kind === 'agent')?.key as string;
    const trace = (
      await send(`${w.base}/api/trace?key=${encodeURIComponent(key)}`, { headers: w.auth })
    ).json<TraceView>();
    expect(trace).toMatchObject({ agent: 'ops', threadId: 'th-1', pid: (w.pid as Pid).toString() });
    expect(trace.items.map((i) => i.kind)).toEqual(['task', 'model']);
    expect(trace.journal).toMatchObject([
      { tool: 'drop_database', state: 'awaiting_approval', decidedBy: 'rule:dba-approves' },
    ]);
    const missing = await send(`${w.base}/api/trace?key=nope`, { headers: w.auth });
    expect([missing.status, missing.json<ApiErrorBody>().error.code]).toEqual([
      404,
      'ERR_NOT_FOUND',
    ]);
  });

  it("lists the node's dead letters and each dead-letter queue's entries, as text", async () => {
    const clock = new TestClock();
    const queue = new DeadLetterQueue<{ to: string }>({ clock });
    const w = await world({ deadLetterQueues: { mail: queue } }, clock);
    await queue.record({ input: { to: '<b>ann</b>' }, error: new Error('smtp down'), attempts: 3 });
    const gone = w.node.spawn(idle);
    await w.node.stopProcess(gone);
    w.node.send(gone, { hello: 'nobody' });
    const snapshot = (
      await send(`${w.base}/api/snapshot`, { headers: w.auth })
    ).json<DashboardSnapshot>();
    expect(snapshot.queues).toMatchObject([
      {
        name: 'mail',
        recorded: 1,
        entries: [
          {
            source: 'mail',
            reason: 'Error: smtp down',
            attempts: 3,
            summary: '{"to":"<b>ann</b>"}',
          },
        ],
      },
    ]);
    expect(snapshot.nodes[0]?.deadLetters).toMatchObject({
      count: 1,
      byReason: { noproc: 1 },
      recent: [{ source: 'node', reason: 'noproc', summary: '{"hello":"nobody"}' }],
    });
  });

  it('stops with its node', async () => {
    const { node, base, auth } = await world();
    expect((await send(`${base}/api/node`, { headers: auth })).status).toBe(200);
    await node.stop();
    const error = await send(`${base}/api/node`, { headers: auth }).catch((e: unknown) => e);
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
  });
});
