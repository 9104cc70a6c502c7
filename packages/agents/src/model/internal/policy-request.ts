import type { RetryContext } from '@warden/resilience';
import type { Message } from '../message.js';
import type { ModelRequest, ToolChoice, ToolSpec } from '../model-request.js';
import { joinSignals } from '../policy/open-stream.js';
import { LazyAbortRequest } from './lazy-abort-request.js';

/**
 * The request a client receives from the policy: the caller's request, field by field, with the
 * attempt's `signal` (the retry's deadline and the caller's abort). `signal` is an accessor of
 * the class, made when the client first reads it: a real HTTP client reads it and pays for the
 * `AbortController` (its call costs far more); a client that never reads it (an answer that is
 * already there) does not. Read after the deadline or the caller's abort, it is already aborted
 * with their reason; read or not, the policy cuts the attempt at once either way.
 *
 * An accessor on the prototype, not a getter per object (that would be a dictionary object on
 * V8, several times dearer to build): so a copy made with spread (`{ ...request }`) has no
 * `signal`; a client that copies the request passes `signal: request.signal` along.
 */
export class PolicyRequest extends LazyAbortRequest {
  readonly system: string | undefined;
  readonly messages: readonly Message[];
  readonly tools: readonly ToolSpec[] | undefined;
  readonly toolChoice: ToolChoice | undefined;
  readonly maxOutputTokens: number | undefined;
  readonly temperature: number | undefined;
  readonly stop: readonly string[] | undefined;
  #attempt: Pick<RetryContext, 'signal' | 'aborted'>;
  /** The client read `signal`: it is kept, whatever happens next. */
  #read = false;
  /** The caller's own signal when it is not the one the attempt follows already. */
  readonly #caller: AbortSignal | undefined;
  #joined: { readonly signal: AbortSignal; dispose(): void } | undefined;

  constructor(request: ModelRequest, attempt: RetryContext, caller: AbortSignal | undefined) {
    super();
    this.system = request.system;
    this.messages = request.messages;
    this.tools = request.tools;
    this.toolChoice = request.toolChoice;
    this.maxOutputTokens = request.maxOutputTokens;
    this.temperature = request.temperature;
    this.stop = request.stop;
    this.#attempt = attempt;
    this.#caller = caller;
  }

  get signal(): AbortSignal {
    this.#read = true;
    if (this.#caller === undefined) return this.#attempt.signal;
    this.#joined ??= joinSignals(this.#attempt.signal, this.#caller);
    return this.#joined.signal;
  }

  get aborted(): boolean {
    return this.#attempt.aborted || this.#caller?.aborted === true;
  }

  /**
   * The attempt has ended: detaches a joined signal from the caller's (nothing accumulates on a
   * long-lived signal). An attempt that ended unaborted is never aborted afterwards, so unless
   * the client holds its signal, the request lets go of the attempt: a client that keeps its
   * requests (the scripted model's call log) does not keep every attempt's bookkeeping too.
   */
  dispose(): void {
    this.#joined?.dispose();
    if (!this.#read && !this.#attempt.aborted) this.#attempt = ENDED;
  }
}

/** An attempt that ended without an abort: a signal read now is one that never aborts. */
const ENDED: Pick<RetryContext, 'signal' | 'aborted'> = Object.freeze({
  get signal(): AbortSignal {
    return new AbortController().signal;
  },
  aborted: false,
});

/** The request as clients see it (absent fields are present as `undefined`, as JSON drops them). */
export function asModelRequest(request: PolicyRequest): ModelRequest {
  return request as unknown as ModelRequest;
}

/**
 * Whether a request's signal has aborted. For a request that makes its signal when read (the
 * policy's, an agent step's) it is answered without making the signal, so a client that only
 * needs to know (the scripted model answering at once) does not pay for one.
 */
export function isRequestAborted(request: ModelRequest): boolean {
  if ((request as unknown) instanceof LazyAbortRequest) {
    return (request as unknown as LazyAbortRequest).aborted;
  }
  return request.signal?.aborted === true;
}
