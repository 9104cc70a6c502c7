/**
 * The code examples of docs/dashboard.md, each between `// #region name` and `// #endregion`;
 * docs-examples.test.ts checks the docs hold them word for word.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApprovalDesk,
  defineAgent,
  defineTool,
  MemoryEffectJournal,
  runTask,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import {
  type DashboardSnapshot,
  DEFAULT_UI_DIR,
  httpPeer,
  serveDashboard,
} from '@warden/dashboard';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

const DASHBOARD = join(import.meta.dirname, '..', '..', '..', 'packages', 'dashboard');

beforeAll(() => {
  // The examples serve the page from the package's dist/ui, as an installed package does. A
  // clone that has not run the build yet gets the page built here, as the package build does it.
  if (!existsSync(join(DEFAULT_UI_DIR, 'index.html'))) {
    execFileSync(
      join(DASHBOARD, 'node_modules', '.bin', 'vite'),
      ['build', '--config', 'ui/vite.config.ts'],
      { cwd: DASHBOARD, stdio: 'ignore' },
    );
  }
}, 60_000);

describe('dashboard docs examples', () => {
  it('serves a node and answers a pending approval through the API (dashboard.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'ops', clock });
    const ran: string[] = [];
    const dropDatabase = defineTool({
      name: 'drop_database',
      description: 'Drops a database',
      effect: 'irreversible',
      input: z.object({ name: z.string() }),
      scope: ({ name }) => `db:${name}`,
      run: ({ name }) => {
        ran.push(name);
        return `dropped ${name}`;
      },
    });
    const printed = vi.spyOn(console, 'info').mockImplementation(() => {});
    // #region dashboard-serve
    const desk = new ApprovalDesk({ clock: node.clock });
    const journal = new MemoryEffectJournal();
    const dba = defineAgent({
      name: 'dba',
      model: createScriptedModel({
        clock: node.clock,
        script: [
          { toolCalls: [{ name: 'drop_database', input: { name: 'staging' } }] },
          { text: 'done' },
        ],
      }),
      system: 'You administer databases.',
      tools: [dropDatabase],
      policy: { rules: [{ id: 'dba-approves', tools: ['drop_database'], decision: 'ask' }] },
      approvals: { desk },
      journal,
    });
    const dashboard = await serveDashboard(node, { approvals: desk, journal });
    console.info(`dashboard: ${dashboard.url}`); // http://127.0.0.1:PORT/?token=...
    // #endregion
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
    expect(printed).toHaveBeenCalledWith(`dashboard: ${dashboard.url}`);
    printed.mockRestore();
    const result = runTask(node, node.spawn(dba), { task: 'drop staging', threadId: 'th' });
    await clock.settle();

    // #region dashboard-api
    const base = `http://127.0.0.1:${dashboard.port}`;
    const headers = { authorization: `Bearer ${dashboard.token}` };
    const snapshot = (await (
      await fetch(`${base}/api/snapshot`, { headers })
    ).json()) as DashboardSnapshot;
    const [pending] = snapshot.approvals; // { id, agent: 'dba', tool: 'drop_database', input: '{"name":"staging"}', ... }
    const answer = await fetch(`${base}/api/approvals/${pending?.id}/approve`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ approver: 'ann' }),
    });
    // answer.status: 200; without the token: 401; for a request no longer waiting: 404
    // #endregion
    expect(pending).toMatchObject({
      agent: 'dba',
      tool: 'drop_database',
      input: '{"name":"staging"}',
    });
    expect(answer.status).toBe(200);
    await clock.settle();
    expect((await result).outcome).toBe('done');
    expect(ran).toEqual(['staging']);
    expect((await fetch(`${base}/api/snapshot`)).status).toBe(401);
    const again = await fetch(`${base}/api/approvals/${pending?.id}/approve`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ approver: 'ann' }),
    });
    expect(again.status).toBe(404);
    await node.stop();
    // It closed with its node.
    await expect(fetch(`${base}/api/snapshot`, { headers })).rejects.toThrow();
  });

  it("shows another node's tree beside its own (dashboard.md)", async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'planner-node', clock });
    const workerNode = createNode({ name: 'worker-node', clock });
    // #region dashboard-peers
    const far = await serveDashboard(workerNode);
    const near = await serveDashboard(node, { peers: [httpPeer({ url: far.url })] });
    // near's page now draws worker-node's tree beside planner-node's, fetched every second
    // #endregion
    const view = await httpPeer({ url: far.url }).fetch(new AbortController().signal);
    expect(view.name).toBe('worker-node');
    const snapshot = (await (
      await fetch(`http://127.0.0.1:${near.port}/api/snapshot`, {
        headers: { authorization: `Bearer ${near.token}` },
      })
    ).json()) as DashboardSnapshot;
    expect(snapshot.nodes.map((n) => n.name)).toEqual(['planner-node', `127.0.0.1:${far.port}`]);
    await node.stop();
    await workerNode.stop();
  });
});
