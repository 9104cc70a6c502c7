import type { AttemptHolder, RetryCall, RetryContext } from '@warden/resilience';
import { asModelRequest, PolicyRequest } from '../internal/policy-request.js';
import type { ModelClient } from '../model-client.js';
import type { ModelRequest } from '../model-request.js';
import type { ModelResponse } from '../model-response.js';
import type { Lease } from './open-stream.js';

/** How the first attempt made inline ended, for the general path that takes over. */
export type InlineOutcome =
  /** It was never made (no slot free at once): the general path makes it. */
  | undefined
  /** The retry cut it (deadline, caller, the node's stop). */
  | typeof CUT
  /** It failed (or was refused) with this error. */
  | { readonly error: unknown };

export const CUT = Symbol('cut');

/**
 * Where an inline first attempt hands its call over when it does not answer: the promise of the
 * call's outcome, through its sink (`GenerateCall.through`).
 */
export interface InlineOwner {
  resume(call: GenerateCall, run: RetryCall, outcome: InlineOutcome): Promise<ModelResponse>;
}

/**
 * What the caller of a call does with its outcome (the resilient model: its cache, its ladder),
 * given when the call is made so that an answer needs no promise of the caller's own. One object
 * for every call of its caller: the call passes its request and signal.
 */
export interface CallSink {
  answered(request: ModelRequest, response: ModelResponse): void;
  failed(request: ModelRequest, signal: AbortSignal, error: unknown): Promise<ModelResponse>;
}

/** The resolve of the promise just made with `EXECUTOR` (one executor for every call). */
let made: ((value: ModelResponse | Promise<ModelResponse>) => void) | undefined;
const EXECUTOR = (resolve: (value: ModelResponse | Promise<ModelResponse>) => void): void => {
  made = resolve;
};

/**
 * One `generate` (a class, not closures: one is made per model call). The client gets a
 * `PolicyRequest`, whose signal is made only if the client reads it.
 *
 * Its first attempt can be made inline (`inline`): the retry's call is its context, the client's
 * answer settles the lease and the call and is the answer, with no async frame, no attempt
 * promise and no retry loop in between. Anything else (a failure, the retry cutting the attempt)
 * goes to the general path (`InlineOwner.resume`), whose first attempt then reports that outcome,
 * so the retries, waits, events and errors are the general path's own.
 */
export class GenerateCall implements AttemptHolder {
  readonly #client: ModelClient;
  readonly #request: ModelRequest;
  /** The caller's signal when the attempt does not follow it already (nothing to join if so). */
  readonly #caller: AbortSignal | undefined;
  readonly #signal: AbortSignal;
  readonly #sink: CallSink | undefined;
  // the first attempt made inline (`inline`), and whether its outcome is in (answered, handed
  // over after a failure or a cut: a client's thenable may call back more than once)
  #run: RetryCall | undefined;
  #lease: (Lease & AttemptHolder) | undefined;
  #owner: InlineOwner | undefined;
  #sent: PolicyRequest | undefined;
  #resolve: ((value: ModelResponse | Promise<ModelResponse>) => void) | undefined;
  #ended = false;

  constructor(
    client: ModelClient,
    request: ModelRequest,
    signal: AbortSignal,
    sink: CallSink | undefined,
  ) {
    this.#client = client;
    this.#request = request;
    this.#caller = request.signal === signal ? undefined : request.signal;
    this.#signal = signal;
    this.#sink = sink;
  }

  /** The call's outcome from the general path, through the sink if it has one. */
  through(outcome: Promise<ModelResponse>): Promise<ModelResponse> {
    const sink = this.#sink;
    if (sink === undefined) return outcome;
    return outcome.then(
      (response) => {
        sink.answered(this.#request, response);
        return response;
      },
      (error: unknown) => sink.failed(this.#request, this.#signal, error),
    );
  }

  /** The model the call is for. */
  get target(): Pick<ModelClient, 'provider' | 'model'> {
    return this.#client;
  }

  /** One attempt of the general path. */
  async open(attempt: RetryContext, lease: Lease): Promise<ModelResponse> {
    const request = new PolicyRequest(this.#request, attempt, this.#caller);
    try {
      const response = await this.#client.generate(asModelRequest(request));
      lease.end();
      return response;
    } finally {
      request.dispose();
    }
  }

  /** The first attempt, made now, holding `lease`; the call's answer or the general path's. */
  inline(run: RetryCall, lease: Lease & AttemptHolder, owner: InlineOwner): Promise<ModelResponse> {
    const promise = new Promise<ModelResponse>(EXECUTOR);
    this.#resolve = made;
    made = undefined;
    this.#run = run;
    this.#lease = lease;
    this.#owner = owner;
    // a client that never settles must not keep the slot and the permit once the attempt is cut
    run.onCut(this);
    // typed a promise, but a client written in JavaScript may answer a value (awaited alike);
    // whatever throws here is the attempt's failure, as it is in `open`
    let work: unknown;
    try {
      const request = new PolicyRequest(this.#request, run, this.#caller);
      this.#sent = request;
      work = this.#client.generate(asModelRequest(request));
    } catch (error) {
      work = Promise.reject(error);
    }
    if (typeof (work as { then?: unknown } | null)?.then === 'function') {
      try {
        (work as PromiseLike<ModelResponse>).then(
          (response) => this.#answered(response),
          (error: unknown) => this.#failed(error),
        );
      } catch (error) {
        this.#failed(error); // a thenable of the client's whose `then` throws
      }
    } else {
      this.#answered(work as ModelResponse);
    }
    return promise;
  }

  #answered(response: ModelResponse): void {
    this.#sent?.dispose();
    if (this.#ended) return;
    this.#ended = true;
    (this.#lease as Lease).end();
    (this.#run as RetryCall).settle();
    const sink = this.#sink;
    if (sink !== undefined) {
      try {
        sink.answered(this.#request, response);
      } catch (error) {
        this.#resolve?.(sink.failed(this.#request, this.#signal, error));
        return;
      }
    }
    this.#resolve?.(response);
  }

  #failed(error: unknown): void {
    this.#sent?.dispose();
    if (this.#ended) return;
    this.#ended = true;
    (this.#lease as Lease).end(error);
    this.#resolve?.((this.#owner as InlineOwner).resume(this, this.#run as RetryCall, { error }));
  }

  /** The retry cut the first attempt: the lease ends now, the general path reports the cut. */
  attemptCut(reason: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    (this.#lease as Lease & AttemptHolder).attemptCut(reason);
    // as on the general path, which learns of the cut from a promise: once the abort has run
    queueMicrotask(() =>
      this.#resolve?.((this.#owner as InlineOwner).resume(this, this.#run as RetryCall, CUT)),
    );
  }
}
