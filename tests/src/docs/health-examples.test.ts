/**
 * The code examples of the "Health checks" and "Anomaly monitors" sections of
 * docs/observability.md, as regions that run and pass (docs-examples.test.ts checks that each
 * docs block equals its region).
 */
import { request } from 'node:http';
import {
  createResilientModel,
  defineAgent,
  functionalCheck,
  livenessCheck,
  type MonitorFiring,
  modelPolicyOf,
  QualityCheck,
  readinessCheck,
  sampleAnswers,
  serveHealth,
  spawnRateMonitor,
  startHealth,
  startMonitors,
  subagentCountMonitor,
  tokenBurnMonitor,
} from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode, type Pid, startDynamicChild, startSupervisor } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { FeatureFlags } from '@warden/resilience';
import { describe, expect, it } from 'vitest';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('health and monitor docs examples', () => {
  it('health checks L1-L4 served over HTTP (observability.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const provider = createScriptedModel({
      clock,
      script: (r) => {
        const first = r.messages[0]?.content[0];
        return { text: first?.type === 'text' && first.text.includes('2 + 2') ? '4' : 'ok' };
      },
    });
    const flags = new FeatureFlags({ clock, flags: { 'triage-primary': true } });
    const isRight = ({ input, output }: { input: string; output: string }) =>
      input.includes('2 + 2') ? (output === '4' ? 1 : 0) : 1;
    // #region health-checks
    const model = createResilientModel({ node, primary: provider });
    const quality = new QualityCheck({
      agent: 'triage',
      scorer: isRight, // any function of { input, output, at } to [0, 1]
      window: 50, // the last 50 scored answers
      threshold: 0.8, // the drift alarm: their mean below 0.8
    });
    const triage = defineAgent({
      name: 'triage',
      system: 'You triage support tickets.',
      model: sampleAnswers(model, quality, {
        clock: node.clock,
        system: 'You triage support tickets.',
      }),
    });
    node.spawn(triage, { name: 'triage' });
    const health = startHealth(node, {
      checks: [
        livenessCheck(), // the scheduler turns
        livenessCheck({ agent: 'triage', deadlineMs: 2_000 }), // the agent answers status
        readinessCheck({
          agent: 'triage',
          breakers: { openai: modelPolicyOf(node).breaker(model.provider) },
          ladders: { model: { ladder: model, top: 'primary' } },
          mailboxes: { triage: { process: 'triage', bound: 32 } },
        }),
        functionalCheck({
          agent: 'triage',
          behaviour: triage, // a fresh process per run, on its own thread
          task: 'What is 2 + 2?',
          check: (result) => result.text === '4' || `answered ${result.text}`,
          deadlineMs: 60_000,
          everyMs: 300_000,
        }),
        quality,
      ],
      actions: {
        'golden:triage': [{ kind: 'switch-off', flags, flag: 'triage-primary' }],
        'quality:triage': [{ kind: 'switch-off', flags, flag: 'triage-primary' }],
      },
    });
    const server = await serveHealth(node, health); // 127.0.0.1, a free port
    // GET /healthz (L1), /readyz (L1 + L2), /health (JSON per agent and check)
    // #endregion
    await clock.advance(0);
    expect(health.results().map((r) => [r.name, r.status])).toEqual([
      ['scheduler', 'pass'],
      ['agent:triage', 'pass'],
      ['ready:triage', 'pass'],
      ['golden:triage', 'pass'],
      ['quality:triage', 'unknown'],
    ]);
    expect((await get(`${server.url}/healthz`)).status).toBe(200);
    expect((await get(`${server.url}/readyz`)).status).toBe(200);
    const report = JSON.parse((await get(`${server.url}/health`)).body);
    expect(Object.keys(report.agents)).toEqual(['node', 'triage']);
    expect(flags.isEnabled('triage-primary')).toBe(true);
    await node.stop();
    await server.close();
  });

  it('anomaly monitors with their actions (observability.md)', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'docs', clock });
    const sleeper = async () => {
      await new Promise(() => {});
    };
    const syncs = (await startSupervisor(node, {
      strategy: 'simple_one_for_one',
      intensity: 10,
      children: [{ id: 'memory-sync', start: { behaviour: sleeper }, restart: 'temporary' }],
    })) as Pid;
    const flags = new FeatureFlags({ clock, flags: { 'web-search': true } });
    const fired: MonitorFiring[] = [];
    node.inspect((e) => {
      if (e.type === 'published' && e.event.type === 'monitor.fired') {
        fired.push(e.event as MonitorFiring);
      }
    });
    // #region anomaly-monitors
    const monitors = startMonitors(node, [
      // at most one memory sync at a time: a second one stops their subtree
      subagentCountMonitor({ ceilings: { 'memory-sync': 1 }, action: { kind: 'stop-subtree' } }),
      // more than 10 starts of one type a minute: an alert (the monitor.fired event) only
      spawnRateMonitor({ max: 10, windowMs: 60_000, action: { kind: 'alert' } }),
      // more than 200k tokens a minute for one agent type: switch web search off
      tokenBurnMonitor({
        maxTokens: 200_000,
        windowMs: 60_000,
        action: { kind: 'throttle', flags, flag: 'web-search' },
      }),
    ]);
    // monitors.firings, and on the node's stream: monitor.fired, monitor.acted, monitor.cleared
    // #endregion
    await startDynamicChild(node, syncs, []);
    await startDynamicChild(node, syncs, []);
    await clock.advance(0);
    expect(monitors.firings).toMatchObject([
      { key: 'memory-sync', value: 2, action: 'stop-subtree' },
    ]);
    expect(fired).toHaveLength(1);
    expect(node.isAlive(syncs)).toBe(false);
    await node.stop();
  });
});
