import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineAgent, type ModelRequest, runTask } from '@warden/agents';
import { createScriptedModel, type ScriptedTurn } from '@warden/agents/testing';
import { createNode, type Node, type Pid, startSupervisor, whichChildren } from '@warden/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardServer, serveDashboard } from '../src/index.js';
import { ApprovalDesk, MemoryEffectJournal, opsAgent, type Ran } from './world.js';

/*
 * The dashboard end to end in Debian's Chromium: a real browser, a real node on the system clock,
 * agents on scripted models. Every wait is bounded; the file takes a few seconds.
 *
 * WARDEN_DASHBOARD_SCREENSHOT=docs/images/dashboard.png also saves a screenshot of the page with
 * the restart and both pending approvals on it.
 */

const CHROMIUM = '/usr/bin/chromium';
const PACKAGE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const WAIT = { timeout: 8_000 };

/** What a hostile model or tool argument could carry: markup that would run if parsed as HTML. */
const XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';

let uiDir: string;
let browser: Browser;
let node: Node;
let server: DashboardServer;
let supervisor: Pid;
const desk: { current?: ApprovalDesk } = {};
const journal = new MemoryEffectJournal();
const ran: Ran[] = [];
let models: { a: ReturnType<typeof opsAgent>['model']; b: ReturnType<typeof opsAgent>['model'] };

/** Asks for `drop_database` on `name`, then answers `answer` once the tool result is back. */
function dropThenAnswer(name: string, answer: string) {
  return (request: ModelRequest): ScriptedTurn =>
    request.messages.at(-1)?.role === 'tool'
      ? { text: answer }
      : { toolCalls: [{ name: 'drop_database', input: { name } }] };
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: the dashboard's browser test needs it (apt-get install -y chromium)`,
    );
  }
  // The page, built the way the package build builds it, into a folder of this run.
  uiDir = mkdtempSync(join(tmpdir(), 'warden-dashboard-ui-'));
  await build({
    configFile: join(PACKAGE, 'ui', 'vite.config.ts'),
    logLevel: 'silent',
    build: { outDir: uiDir, emptyOutDir: true },
  });

  node = createNode({ name: 'demo' });
  desk.current = new ApprovalDesk({ clock: node.clock });
  const a = opsAgent(node.clock, 'ops-a', dropThenAnswer('prod', XSS), {
    desk: desk.current,
    journal,
    ran,
  });
  const b = opsAgent(node.clock, 'ops-b', dropThenAnswer(XSS, 'understood'), {
    desk: desk.current,
    journal,
    ran,
  });
  models = { a: a.model, b: b.model };
  const worker = defineAgent({
    name: 'worker',
    model: createScriptedModel({ clock: node.clock, script: { text: 'warmed up' } }),
    system: 'You work.',
  });
  server = await serveDashboard(node, {
    approvals: desk.current,
    journal,
    uiDir,
    intervalMs: 100,
  });
  supervisor = (await startSupervisor(node, {
    strategy: 'one_for_one',
    intensity: 10,
    period: 10_000,
    children: [
      {
        id: 'worker-1',
        start: { behaviour: worker, args: { task: { task: 'warm up', threadId: 'w1' } } },
      },
      {
        id: 'worker-2',
        start: { behaviour: worker, args: { task: { task: 'warm up', threadId: 'w2' } } },
      },
      { id: 'ops-a', start: { behaviour: a.agent } },
      { id: 'ops-b', start: { behaviour: b.agent } },
    ],
  })) as Pid;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
}, 20_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await node?.stop();
  if (uiDir !== undefined) rmSync(uiDir, { recursive: true, force: true });
});

async function childPid(id: string): Promise<Pid> {
  const child = (await whichChildren(node, supervisor)).find((c) => c.id === id);
  return child?.pid as Pid;
}

/** Whether the page holds markup an agent wrote, or ran any of it. */
async function injected(page: Page): Promise<{ flag: unknown; images: unknown; scripts: unknown }> {
  return {
    flag: await page.evaluate('window.__xss'),
    images: await page.evaluate('document.querySelectorAll("img").length'),
    // The one script is the page's own module, in the head.
    scripts: await page.evaluate('document.querySelectorAll("script").length'),
  };
}

describe('the dashboard in Chromium', () => {
  it('shows the tree live, a restart, approves once, denies with the agent told, and never runs what agents wrote', async () => {
    // A fresh profile: a new context, nothing stored from an earlier run.
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });

    await page.goto(server.url);
    // The token leaves the address bar once read.
    expect(new URL(page.url()).searchParams.has('token')).toBe(false);
    const worker1 = page.locator('g.proc[data-label="worker-1"]');
    await worker1.waitFor(WAIT);
    await page.locator('g.proc[data-label="worker-2"]').waitFor(WAIT);
    await page.locator('[data-status="live"]').waitFor(WAIT);
    expect(await worker1.getAttribute('data-restarts')).toBe('0');

    // Kill a worker: its supervisor restarts it, and the tree shows it.
    const before = await childPid('worker-1');
    node.exit(before, 'kill');
    await page
      .locator('g.proc[data-label="worker-1"][data-restarts="1"][data-alive="true"]')
      .waitFor(WAIT);
    expect(await childPid('worker-1')).not.toEqual(before);
    expect(await worker1.locator('.detail').textContent()).toContain('restarts 1');
    // Its trace: the task it ran, then the kill.
    await worker1.click();
    await page.locator('.trace li.t-exit', { hasText: 'process exited: killed' }).waitFor(WAIT);

    // Two irreversible calls wait for a person.
    const resultA = runTask(node, await childPid('ops-a'), {
      task: 'drop prod',
      threadId: 'thread-a',
    });
    const resultB = runTask(node, await childPid('ops-b'), {
      task: 'drop it',
      threadId: 'thread-b',
    });
    void resultA.catch(() => {});
    void resultB.catch(() => {});
    const approvalA = page.locator('li.approval', {
      has: page.locator('.agent', { hasText: 'ops-a' }),
    });
    const approvalB = page.locator('li.approval', {
      has: page.locator('.agent', { hasText: 'ops-b' }),
    });
    await approvalA.waitFor(WAIT);
    await approvalB.waitFor(WAIT);
    await page.locator('g.proc[data-label="ops-a"][data-state="awaiting_approval"]').waitFor(WAIT);
    // The argument an agent wrote is shown as text.
    expect(await approvalB.locator('pre.input').textContent()).toBe(JSON.stringify({ name: XSS }));
    expect(await injected(page)).toEqual({ flag: undefined, images: 0, scripts: 1 });

    if (process.env.WARDEN_DASHBOARD_SCREENSHOT !== undefined) {
      const path = resolve(PACKAGE, '..', '..', process.env.WARDEN_DASHBOARD_SCREENSHOT);
      mkdirSync(dirname(path), { recursive: true });
      await page.screenshot({ path, fullPage: true });
    }

    // Approve ops-a's call from the page: it runs, once.
    await page.locator('input[name="approver"]').fill('ann');
    await approvalA.locator('button.approve').click();
    expect((await resultA).outcome).toBe('done');
    await approvalA.waitFor({ state: 'detached', ...WAIT });
    const entriesA = await journal.list('thread-a');
    expect(entriesA.map((e) => [e.tool, e.state, e.decidedBy])).toEqual([
      ['drop_database', 'done', 'person:ann'],
    ]);
    expect(ran.filter((r) => r.tool === 'drop_database')).toEqual([
      { tool: 'drop_database', input: { name: 'prod' } },
    ]);

    // Deny ops-b's: nothing runs, and the agent is told who denied it.
    await approvalB.locator('button.deny').click();
    expect((await resultB).outcome).toBe('done');
    const told = models.b.calls.at(-1)?.request.messages.at(-1);
    expect(told?.content[0]).toMatchObject({
      isError: true,
      output: {
        error: 'ERR_PERMISSION_DENIED',
        message: expect.stringContaining('denied by person:ann'),
      },
    });
    expect(ran.filter((r) => r.tool === 'drop_database')).toHaveLength(1);
    await page.locator('p.muted', { hasText: 'Nothing is waiting.' }).waitFor(WAIT);

    // ops-a's answer was markup: its trace shows it as text, and nothing of it ran.
    await page.locator('g.proc[data-label="ops-a"]').click();
    const answer = page.locator('.trace pre.answer');
    await answer.waitFor(WAIT);
    expect(await answer.textContent()).toBe(XSS);
    await page.locator('.trace table.journal tr[data-journal-state="done"]').waitFor(WAIT);
    expect(await injected(page)).toEqual({ flag: undefined, images: 0, scripts: 1 });
    expect(problems).toEqual([]);
    await context.close();
  }, 20_000);
});
