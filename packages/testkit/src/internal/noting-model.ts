import type { ScriptedModel } from '@warden/agents/testing';

/** The model, with `onCall(index)` told of each call as it starts (for the timeline). */
export function notingModel(inner: ScriptedModel, onCall: (index: number) => void): ScriptedModel {
  return {
    get provider() {
      return inner.provider;
    },
    get model() {
      return inner.model;
    },
    get calls() {
      return inner.calls;
    },
    get inFlight() {
      return inner.inFlight;
    },
    get maxInFlight() {
      return inner.maxInFlight;
    },
    generate: (request) => {
      onCall(inner.calls.length);
      return inner.generate(request);
    },
    stream: (request) => {
      onCall(inner.calls.length);
      return inner.stream(request);
    },
  };
}
