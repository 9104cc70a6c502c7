import type { ToolContext } from './tool.js';

/** The fields of a `ToolContext` its caller gives (the runner sets the others). */
export type CallerContext = Omit<ToolContext, 'signal' | 'deadline' | 'now' | 'callId'>;

/** Where a context's signal comes from when it is first read. */
export interface SignalSource {
  signal(): AbortSignal;
}

/**
 * The `ToolContext` one call's `run` gets: the caller's five fields, then the call's own, all own
 * enumerable properties in the order `{ ...caller, signal, deadline, now, callId }` gives them,
 * so a tool that spreads or walks its context sees what it always saw. `signal` is an accessor,
 * one for every context, that asks the call for its signal: a call makes its `AbortController`
 * only when its tool reads the signal. One accessor shared by all keeps every context in one fast
 * shape; a literal with a getter of its own (a closure per call) is a dictionary object on V8 and
 * cost several times as much to build.
 */
export class CallContext implements ToolContext {
  static readonly #signalProperty: PropertyDescriptor = {
    get(this: CallContext): AbortSignal {
      return this.#source.signal();
    },
    enumerable: true,
    configurable: true,
  };

  declare readonly idempotencyKey: string;
  declare readonly node: ToolContext['node'];
  declare readonly agent: ToolContext['agent'];
  declare readonly threadId: string;
  declare readonly spawnAgent: ToolContext['spawnAgent'];
  declare readonly signal: AbortSignal;
  declare readonly deadline: number;
  declare readonly now: () => number;
  declare readonly callId: string;
  readonly #source: SignalSource;

  constructor(
    caller: CallerContext,
    source: SignalSource,
    deadline: number,
    now: () => number,
    callId: string,
  ) {
    this.#source = source;
    this.idempotencyKey = caller.idempotencyKey;
    this.node = caller.node;
    this.agent = caller.agent;
    this.threadId = caller.threadId;
    this.spawnAgent = caller.spawnAgent;
    Object.defineProperty(this, 'signal', CallContext.#signalProperty);
    this.deadline = deadline;
    this.now = now;
    this.callId = callId;
  }
}

/**
 * A caller's context that is known to hold the five fields of a `CallerContext` and nothing else
 * (a class of its own, with no methods): the runner builds a `CallContext` from it without looking
 * at its keys. An agent makes one per call; any other object is spread, whatever it holds. The
 * key may be set after it is made, before the call's `run` starts: an agent knows a read's key
 * once the gate has its validated arguments (`act-phase.ts`).
 */
export class CallerFields implements CallerContext {
  constructor(
    public idempotencyKey: string,
    readonly node: ToolContext['node'],
    readonly agent: ToolContext['agent'],
    readonly threadId: string,
    readonly spawnAgent: ToolContext['spawnAgent'],
  ) {}
}
