import type { ModelRequest } from '@warden/agents';
import type { ScriptedModel } from '@warden/agents/testing';

/** The model, with `onCall(index)` told of each call as it starts (for the timeline). */
export function notingModel(inner: ScriptedModel, onCall: (index: number) => void): ScriptedModel {
  return new NotingModel(inner, onCall);
}

/**
 * A class, so that the getters are on its prototype: an object literal with getters, made per
 * model and run, survived every scavenge of the young generation and was promoted.
 */
class NotingModel implements ScriptedModel {
  readonly provider: string;
  readonly model: string;
  readonly #inner: ScriptedModel;
  readonly #onCall: (index: number) => void;

  constructor(inner: ScriptedModel, onCall: (index: number) => void) {
    this.provider = inner.provider;
    this.model = inner.model;
    this.#inner = inner;
    this.#onCall = onCall;
  }

  get calls(): ScriptedModel['calls'] {
    return this.#inner.calls;
  }

  get inFlight(): number {
    return this.#inner.inFlight;
  }

  get maxInFlight(): number {
    return this.#inner.maxInFlight;
  }

  generate(request: ModelRequest): ReturnType<ScriptedModel['generate']> {
    this.#onCall(this.#inner.calls.length);
    return this.#inner.generate(request);
  }

  stream(request: ModelRequest): ReturnType<ScriptedModel['stream']> {
    this.#onCall(this.#inner.calls.length);
    return this.#inner.stream(request);
  }
}
