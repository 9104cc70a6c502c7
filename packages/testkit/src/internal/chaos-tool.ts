import type { AnyTool, ToolContext } from '@warden/agents';
import { sleep } from '@warden/core';
import { hangUntilAborted } from './chaos-behaviour.js';

/** What the schedule does to one call of a tool. */
export type ToolAction =
  | { readonly type: 'error' }
  | { readonly type: 'hang' }
  | { readonly type: 'slow'; readonly ms: number };

/** The error an injected tool failure throws, as a service that answered 500 would make it. */
export class InjectedToolFailure extends Error {
  constructor(tool: string, nth: number) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`injected failure of tool "${tool}" on call ${nth}`);
    Error.stackTraceLimit = limit;
    this.name = 'InjectedToolFailure';
  }
}

/**
 * The tool with its calls counted and the ones the schedule names failed, hung (until the call's
 * signal aborts: its timeout, a cancel or the agent's death) or slowed on the node's clock.
 */
export function chaosTool<T extends AnyTool>(
  tool: T,
  onCall: (name: string) => { readonly nth: number; readonly action: ToolAction | undefined },
): T {
  const run = tool.run;
  return Object.freeze({
    ...tool,
    run: (input: unknown, ctx: ToolContext) => {
      const { nth, action } = onCall(tool.name);
      if (action === undefined) return run(input, ctx);
      if (action.type === 'error') throw new InjectedToolFailure(tool.name, nth);
      if (action.type === 'hang') return hangUntilAborted(ctx.signal);
      return sleep(ctx.node.clock, action.ms, ctx.signal).then(() => run(input, ctx));
    },
  }) as T;
}
