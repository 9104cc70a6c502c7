// The demo's scenario on a TestClock: the same fault schedule, replayed in virtual time.
import { createNode, type NodeEvent } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { EXPECTED_TOTAL, runScenario } from '../src/scenario.js';

describe('the example supervision tree', () => {
  it('survives eight injected faults: each crashed job is restarted and the counter keeps its total', async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'example', clock });
    const events: string[] = [];
    node.inspect((e: NodeEvent) => {
      if (e.type === 'supervisor.restart' || e.type === 'supervisor.escalated') events.push(e.type);
    });
    const lines: string[] = [];
    let done = false;
    const run = runScenario(node, (line) => lines.push(line)).finally(() => {
      done = true;
    });
    for (let step = 0; step < 100 && !done; step++) await clock.advance(20);
    const result = await run;

    expect(result).toEqual({ total: EXPECTED_TOTAL, liveJobs: 4, survived: true });
    expect(lines.filter((l) => l.includes('] inject '))).toHaveLength(8);
    expect(events).toEqual(Array.from({ length: 8 }, () => 'supervisor.restart'));
    expect(lines.at(-1)).toBe('the tree survived every injected fault');
    // Virtual time: the faults came 20 ms apart on the node's clock.
    expect(lines.find((l) => l.includes('] inject '))).toMatch(/^\[ {3}20\.0 ms\] inject/);
    expect(clock.now()).toBeGreaterThanOrEqual(180);
  });
});
