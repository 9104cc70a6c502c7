// Every ResilienceEvent has the shape of core's events, and a node can carry them in its stream.
import { createNode, type NodeEvent } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { describe, expect, it } from 'vitest';
import { publishTo, type ResilienceEvent, Semaphore } from '../src/index.js';

describe('publishTo', () => {
  it("forwards a piece's decisions into the node's event stream, beside the core's events", async () => {
    const clock = new TestClock();
    const node = createNode({ name: 'published', clock });
    const seen: NodeEvent[] = [];
    node.inspect((e) => seen.push(e));
    const local: ResilienceEvent[] = [];
    const sem = new Semaphore({
      clock,
      maxConcurrent: 1,
      maxQueue: 0,
      observer: publishTo(node, (e) => local.push(e)),
    });
    await sem.acquire();
    await sem.acquire().catch(() => {});
    const rejected = {
      type: 'bulkhead.rejected',
      time: 0,
      source: 'bulkhead',
      running: 1,
      queued: 0,
    };
    expect(seen).toEqual([{ type: 'published', time: 0, event: rejected }]);
    expect(local).toEqual([rejected]);
  });
});
