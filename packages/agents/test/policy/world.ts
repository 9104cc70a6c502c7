/** A node on a TestClock, its published events, and small helpers for the policy's tests. */
import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import type { ModelRequest, StreamEvent } from '../../src/index.js';

export interface World {
  readonly clock: TestClock;
  readonly node: Node;
  /** The `type` of every event published on the node, in order. */
  readonly events: { readonly type: string; readonly [key: string]: unknown }[];
  /** Advances to the next timer until `done()` or `maxSteps` timers (bounded, never a hang). */
  runUntil(done: () => boolean, maxSteps?: number): Promise<void>;
  stop(): Promise<void>;
}

export function world(): World {
  const clock = new TestClock();
  const node = createNode({ name: 'policy', clock });
  const events: World['events'] = [];
  node.inspect((e) => {
    if (e.type === 'published') events.push(e.event as World['events'][number]);
  });
  return {
    clock,
    node,
    events,
    async runUntil(done, maxSteps = 10_000) {
      await clock.settle();
      for (let step = 0; step < maxSteps && !done(); step++) {
        if (!(await clock.advanceToNext())) break;
      }
    },
    stop: () => node.stop(),
  };
}

export const ask = (text: string, extra: Partial<ModelRequest> = {}): ModelRequest => ({
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
  ...extra,
});

export interface Settled<T> {
  done: boolean;
  value: T | undefined;
  error: unknown;
}

/** Watches a promise without ever leaving its rejection unhandled. */
export function settle<T>(promise: Promise<T>): Settled<T> {
  const out: Settled<T> = { done: false, value: undefined, error: undefined };
  promise.then(
    (value) => Object.assign(out, { done: true, value }),
    (error: unknown) => Object.assign(out, { done: true, error }),
  );
  return out;
}

export async function collect(stream: AsyncIterable<StreamEvent>): Promise<StreamEvent[]> {
  const events: StreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

/** The text of a response's first part (for assertions). */
export function textOf(response: { readonly content: readonly { type: string }[] } | undefined) {
  const part = response?.content[0] as { type: string; text?: string } | undefined;
  return part?.type === 'text' ? part.text : undefined;
}
