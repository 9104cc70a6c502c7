import { createNode, type Node } from '@warden/core';
import { TestClock } from '@warden/core/testing';
import { z } from 'zod';
import { defineTool } from '../../src/tools/tool.js';

/** A node on a test clock, and helpers to run promises while virtual time moves. */
export function agentWorld(): { clock: TestClock; node: Node } {
  const clock = new TestClock();
  const node = createNode({ name: 'agents', clock });
  return { clock, node };
}

/** Captures a promise's outcome without awaiting it, so a test can move time first. */
export function outcomeOf<T>(promise: Promise<T>): {
  readonly settled: () => boolean;
  readonly value: () => T;
  readonly error: () => unknown;
} {
  let state: { done: boolean; ok?: boolean; value?: T; error?: unknown } = { done: false };
  promise.then(
    (value) => {
      state = { done: true, ok: true, value };
    },
    (error: unknown) => {
      state = { done: true, ok: false, error };
    },
  );
  return {
    settled: () => state.done,
    value: () => {
      if (!state.done || !state.ok) throw new Error(`not fulfilled: ${String(state.error)}`);
      return state.value as T;
    },
    error: () => {
      if (!state.done || state.ok) throw new Error('not rejected');
      return state.error;
    },
  };
}

/** A read tool that looks a customer up, recording every input it ran with. */
export function lookupTool(ran: unknown[] = []) {
  return defineTool({
    name: 'lookup',
    description: 'Looks a customer up by id',
    effect: 'read',
    input: z.object({ id: z.number().int() }),
    run: ({ id }) => {
      ran.push(id);
      return { id, name: `customer ${id}`, plan: 'pro' };
    },
  });
}
