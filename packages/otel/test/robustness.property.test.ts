import type { Context } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { createNode, defineActor, type Pid } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instrumentNode } from '../src/index.js';
import { metricsWorld } from './metrics-world.js';
import { replayParams } from './replay-params.js';

/** Counts the spans started and ended. */
class Counting implements SpanProcessor {
  started = 0;
  ended = 0;
  onStart(_span: Span, _context: Context): void {
    this.started++;
  }
  onEnd(_span: ReadableSpan): void {
    this.ended++;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

/** A process that publishes what it is sent, as an agent's process publishes its events. */
const publisher = defineActor<undefined, undefined>({
  init: () => undefined,
  handleInfo: (event, state, ctx) => {
    if (event === 'crash') throw new Error('crash');
    ctx.publish(event as { type: string });
    return state;
  },
});

const TYPES = [
  'agent.task_started',
  'agent.step',
  'agent.tool_call',
  'agent.finished',
  'agent.failed',
  'agent.budget_exceeded',
  'agent.cancelled',
  'agent.compacted',
  'agent.compaction_failed',
  'agent.degraded',
  'agent.context_overflow',
  'agent.checkpoint',
  'governance.approval_requested',
  'governance.approval_decided',
  'breaker.trip',
  'breaker.half_open',
  'breaker.close',
  'degrade.level_changed',
  'something.else',
] as const;

const field = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.integer({ min: -2, max: 3 }),
  fc.double(),
  fc.string({ maxLength: 3 }),
  fc.constant(Object.create(null) as object),
  fc.object({ maxDepth: 1 }),
);

const action = fc.oneof(
  fc.record({
    kind: fc.constant('publish' as const),
    to: fc.nat(2),
    type: fc.constantFrom(...TYPES),
    toolCalls: field,
    step: field,
    model: field,
    usage: fc.oneof(field, fc.record({ inputTokens: field, outputTokens: field })),
    name: field,
    agent: field,
    tool: field,
    outcome: field,
    reason: field,
    threadId: field,
    key: fc.oneof(field, fc.constantFrom('k1', 'k2')),
    effect: field,
    journal: field,
    decidedBy: field,
    decision: field,
    by: field,
    ms: field,
  }),
  fc.record({ kind: fc.constantFrom('crash' as const, 'kill' as const), to: fc.nat(2) }),
);

describe('instrumentNode: any sequence of events', () => {
  it('never throws into the node or a collection, and every span it starts has ended once it or its node is stopped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { maxLength: 40 }), async (actions) => {
        const clock = new TestClock();
        const errors: unknown[] = [];
        const node = createNode({ name: 'prop', clock, onError: (e) => errors.push(e) });
        const counting = new Counting();
        const provider = new BasicTracerProvider({ spanProcessors: [counting] });
        const meters = metricsWorld();
        const stop = instrumentNode(node, {
          tracer: provider.getTracer('p'),
          meter: meters.provider.getMeter('p'),
          prices: { a: { inputPerMTok: 1, outputPerMTok: 1 } },
        });
        const pids: Pid[] = [0, 1, 2].map(() => node.spawn(publisher));
        for (const a of actions) {
          const pid = pids[a.to] as Pid;
          if (!node.isAlive(pid)) pids[a.to] = node.spawn(publisher);
          const target = pids[a.to] as Pid;
          if (a.kind === 'kill') node.exit(target, 'kill');
          else if (a.kind === 'crash') node.send(target, 'crash');
          else {
            const { kind: _, to: __, ...fields } = a;
            node.send(target, { agent: 'a', threadId: 't', ...fields });
          }
          await clock.advance(10);
        }
        const collected = await meters.reader.collect();
        if (actions.length % 2 === 0) stop(); // else it stops with its node
        await node.stop();
        expect(collected.errors).toEqual([]);
        expect(errors).toEqual([]);
        expect(counting.ended).toBe(counting.started);
      }),
      replayParams({ numRuns: 150 }),
    );
  });
});
