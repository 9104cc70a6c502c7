import { type Clock, withoutStack } from '@warden/core';
import {
  CallContext,
  type CallerContext,
  CallerFields,
  type SignalSource,
} from './call-context.js';
import type { TaskSignal } from './task-signal.js';
import type { AnyTool, ToolContext } from './tool.js';
import { ToolError } from './tool-error.js';

/** What `runWithDeadline` needs of the call and of the agent. */
export interface DeadlineEnv {
  readonly clock: Clock;
  /** The agent's task signal: aborting it abandons the call. */
  readonly signal: TaskSignal;
  /** Everything of the `ToolContext` but what the runner sets itself. */
  readonly context: CallerContext;
}

type Phase = 'running' | 'done' | 'abandoned';

/**
 * Runs `tool.run` (in a microtask, as a call beside the process) and settles with its value, or
 * abandons it: when its timeout on the node's clock passes (`ERR_TOOL_TIMEOUT`) or the task's
 * signal aborts (`ERR_TOOL_FAILED`, "aborted"). The call's `ctx.signal` is aborted when it is
 * abandoned, with the timeout error or the task's reason, and never after it settled.
 *
 * What a call needs is made when it needs it, since most calls need none of it: the call's
 * `AbortController` when the tool first reads `ctx.signal`; the timer and the listener on the
 * task's signal when `run` returns a promise (a tool that answers synchronously cannot be
 * abandoned half-way, and the task's signal is checked when it returns). A timer armed then
 * fires at the deadline computed at the start.
 */
export function runWithDeadline(
  tool: AnyTool,
  input: unknown,
  callId: string,
  env: DeadlineEnv,
  map?: (value: unknown) => unknown,
): Promise<unknown> {
  return new DeadlineRun(tool, env).start(input, callId, map);
}

class DeadlineRun implements SignalSource {
  #phase: Phase = 'running';
  /** Why the call was abandoned: the timeout error, or the task signal's reason. */
  #reason: unknown;
  /** What its promise rejects with once abandoned. */
  #error: ToolError | undefined;
  #controller: AbortController | undefined;
  /** The listener on the task's signal, once the call listens (most never do). */
  #onAbort: (() => void) | undefined;
  #timer: ReturnType<Clock['setTimer']> | undefined;
  #reject: ((error: unknown) => void) | undefined;

  constructor(
    readonly tool: AnyTool,
    readonly env: DeadlineEnv,
  ) {}

  /** `map`, if given, turns the value `run` settled with into the call's, in the same turn. */
  start(input: unknown, callId: string, map?: (value: unknown) => unknown): Promise<unknown> {
    const { tool, env } = this;
    const { clock } = env;
    const deadline = clock.now() + tool.timeout;
    if (env.signal.aborted) {
      this.#abandon(env.signal.reason, this.#aborted());
      return Promise.reject(this.#error);
    }
    const ctx = this.#context(deadline, callId);
    return Promise.resolve().then(() => {
      let value: unknown;
      try {
        value = tool.run(input, ctx);
      } catch (error) {
        throw this.#returned(error, true);
      }
      if (!isThenable(value)) {
        const returned = this.#returned(value, false);
        return map === undefined ? returned : map(returned);
      }
      return new Promise<unknown>((resolve, reject) => {
        if (this.#phase === 'abandoned') {
          reject(this.#error);
          return;
        }
        this.#reject = reject;
        this.#listen();
        // Aborted after the call started, before its run: as a listener armed at the start would.
        if (this.env.signal.aborted) {
          this.#abandon(this.env.signal.reason, this.#aborted());
          return;
        }
        this.#timer = clock.setTimer(Math.max(0, deadline - clock.now()), () => {
          const error = new ToolError(
            'ERR_TOOL_TIMEOUT',
            tool.name,
            `${tool.name} timed out after ${tool.timeout} ms`,
          );
          this.#abandon(error, error);
        });
        value.then(
          (result) => {
            if (!this.#settle()) return;
            if (map === undefined) {
              resolve(result);
              return;
            }
            try {
              resolve(map(result));
            } catch (error) {
              reject(error);
            }
          },
          (error: unknown) => {
            if (this.#settle()) reject(error);
          },
        );
      });
    });
  }

  /**
   * The tool's context: the caller's fields, then the call's own. A `CallContext` when the
   * caller's context is a `CallerFields` (an agent's is); a spread of it otherwise, so that
   * fields a caller added reach the tool too.
   */
  #context(deadline: number, callId: string): ToolContext {
    const { clock, context } = this.env;
    const now = () => clock.now();
    if (context instanceof CallerFields)
      return new CallContext(context, this, deadline, now, callId);
    const spread = { ...context } as Record<string, unknown>;
    Object.defineProperty(spread, 'signal', {
      get: () => this.signal(),
      enumerable: true,
      configurable: true,
    });
    spread.deadline = deadline;
    spread.now = now;
    spread.callId = callId;
    return spread as unknown as ToolContext;
  }

  /**
   * `run` answered synchronously (`value`, or the error it threw): what the call settles with,
   * which is the abandonment's error if the task was aborted meanwhile, as a listener would have
   * settled it the moment it was.
   */
  #returned(value: unknown, threw: boolean): unknown {
    if (this.#phase === 'running' && this.env.signal.aborted) {
      this.#abandon(this.env.signal.reason, this.#aborted());
    }
    if (this.#phase === 'abandoned') throw this.#error;
    this.#settle();
    if (threw) throw value;
    return value;
  }

  /** The call's signal, made on first read, in the state the call is in. */
  signal(): AbortSignal {
    let controller = this.#controller;
    if (controller === undefined) {
      controller = new AbortController();
      this.#controller = controller;
      if (this.#phase === 'abandoned') controller.abort(this.#reason);
      else if (this.#phase === 'running') {
        // From now on an abort of the task reaches the tool at once, as it would through a
        // listener armed at the start.
        if (this.env.signal.aborted) this.#abandon(this.env.signal.reason, this.#aborted());
        else this.#listen();
      }
    }
    return controller.signal;
  }

  #listen(): void {
    if (this.#onAbort !== undefined) return;
    this.#onAbort = (): void => this.#abandon(this.env.signal.reason, this.#aborted());
    this.env.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Marks the call settled by `run` itself; false if it was abandoned first. */
  #settle(): boolean {
    if (this.#phase !== 'running') return false;
    this.#phase = 'done';
    this.#release();
    return true;
  }

  /** Abandons a running call: its signal aborts with `reason`, its promise rejects with `error`. */
  #abandon(reason: unknown, error: ToolError): void {
    if (this.#phase !== 'running') return;
    this.#phase = 'abandoned';
    this.#reason = reason;
    this.#error = error;
    this.#controller?.abort(reason);
    this.#release();
    this.#reject?.(error);
  }

  /**
   * The error of a call abandoned because its task aborted: made without a stack, since it is
   * made by the runtime (an abort's listener, mostly) and its stack would name only the runtime's
   * frames; the task's abort reason (the signal's) says who aborted.
   */
  #aborted(): ToolError {
    const tool = this.tool.name;
    return withoutStack(() => new ToolError('ERR_TOOL_FAILED', tool, `${tool} aborted`));
  }

  #release(): void {
    if (this.#timer !== undefined) this.env.clock.clearTimer(this.#timer);
    if (this.#onAbort !== undefined) this.env.signal.removeEventListener('abort', this.#onAbort);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
