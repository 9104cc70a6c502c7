import {
  type ActorContext,
  type ActorSpec,
  type Behaviour,
  defineActor,
  isActorBehaviour,
  sleep,
} from '@warden/core';
import type { CrashReason } from '../fault.js';

/** What the schedule does to one message a labelled behaviour is about to handle. */
export type MessageAction =
  | { readonly type: 'crash'; readonly reason: CrashReason }
  | { readonly type: 'hang' }
  | { readonly type: 'slow'; readonly ms: number };

export interface ChaosHooks {
  /** Counts the message and says what to do to it (undefined: handle it normally). */
  onMessage(label: string): MessageAction | undefined;
  /** An instance of the label started (its pid becomes a target of timed crashes by label). */
  onStart(label: string, ctx: ActorContext): void;
}

/**
 * The error an injected crash throws: its message says it was injected, so no one mistakes it.
 * It carries no stack (where the testkit threw it says nothing, and capturing one is most of
 * what a crash costs a run).
 */
export class InjectedCrash extends Error {
  constructor(label: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`injected crash of "${label}"`);
    Error.stackTraceLimit = limit;
    this.name = 'InjectedCrash';
  }
}

/** Resolves never; rejects when the process ends (a hung handler, as a kill finds it). */
export function hangUntilAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

async function act(
  action: MessageAction,
  label: string,
  ctx: ActorContext,
  handle: () => unknown,
): Promise<unknown> {
  if (action.type === 'slow') {
    await sleep(ctx.node.clock, action.ms, ctx.signal);
    return handle();
  }
  if (action.type === 'hang') return hangUntilAborted(ctx.signal);
  if (action.reason === 'error') throw new InjectedCrash(label);
  ctx.exit(ctx.self, action.reason === 'kill' ? 'kill' : 'shutdown');
  return hangUntilAborted(ctx.signal);
}

/**
 * The behaviour with the schedule's hands on it: every message it handles is counted under its
 * label, and the one a fault names is crashed, hung or slowed. Anything else runs as written,
 * synchronously if it was synchronous. A process function can only be crashed at a time (its
 * receives are its own), never on its Nth message.
 */
export function chaosBehaviour<B extends Behaviour>(
  label: string,
  behaviour: B,
  hooks: ChaosHooks,
): B {
  if (!isActorBehaviour(behaviour)) {
    const fn = behaviour as (ctx: ActorContext, args: unknown) => unknown;
    const wrapped = (ctx: ActorContext, args: unknown) => {
      hooks.onStart(label, ctx);
      return fn(ctx, args);
    };
    return wrapped as unknown as B;
  }
  // biome-ignore lint/suspicious/noExplicitAny: the spec keeps whatever state type it had.
  const spec = behaviour.spec as ActorSpec<any, any>;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  const wrappedSpec: ActorSpec<any, any> = {
    ...spec,
    init: (args, ctx) => {
      hooks.onStart(label, ctx);
      return spec.init === undefined ? undefined : spec.init(args, ctx);
    },
  };
  // Each handler is named before it is stored: V8 allocates a function literal assigned straight
  // to a property in the old generation, where it would keep the run (through `hooks`) alive
  // past every young collection until a full one, and a check's runs would pile up there.
  if (spec.handleCall !== undefined) {
    const h = spec.handleCall;
    const handleCall: typeof h = (request, from, state, ctx) => {
      const action = hooks.onMessage(label);
      if (action === undefined) return h(request, from, state, ctx);
      return act(action, label, ctx, () => h(request, from, state, ctx)) as never;
    };
    wrappedSpec.handleCall = handleCall;
  }
  if (spec.handleCast !== undefined) {
    const h = spec.handleCast;
    const handleCast: typeof h = (message, state, ctx) => {
      const action = hooks.onMessage(label);
      if (action === undefined) return h(message, state, ctx);
      return act(action, label, ctx, () => h(message, state, ctx)) as never;
    };
    wrappedSpec.handleCast = handleCast;
  }
  if (spec.handleInfo !== undefined) {
    const h = spec.handleInfo;
    const handleInfo: typeof h = (message, state, ctx) => {
      const action = hooks.onMessage(label);
      if (action === undefined) return h(message, state, ctx);
      return act(action, label, ctx, () => h(message, state, ctx)) as never;
    };
    wrappedSpec.handleInfo = handleInfo;
  }
  // Extra fields (an agent's `agentName`) stay on the wrapped behaviour.
  return { ...behaviour, ...defineActor(wrappedSpec) } as B;
}
