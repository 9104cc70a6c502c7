import {
  ModelCallError,
  type ModelClient,
  type ModelRequest,
  type ModelResponse,
  type StreamEvent,
} from '@warden/agents';

/**
 * A warden `ModelClient` that answers from a script, one turn per call, and records every
 * request. A `hang` turn never answers: it ends only when the request's signal aborts (with a
 * `ModelCallError`, as a real client does).
 */
export type Turn =
  | { readonly respond: ModelResponse }
  | { readonly fail: ModelCallError }
  | { readonly hang: true }
  /** Streams these words, then hangs like `hang` (a model stalled mid-answer). */
  | { readonly stall: string };

export interface ScriptedClient extends ModelClient {
  readonly requests: ModelRequest[];
  /** Streams that were closed before their end (the consumer stopped or aborted). */
  readonly closedEarly: number;
}

export function scriptedClient(turns: readonly Turn[], model = 'scripted-1'): ScriptedClient {
  const queue = [...turns];
  const requests: ModelRequest[] = [];
  let closedEarly = 0;
  const next = (request: ModelRequest): Turn => {
    requests.push(request);
    const turn = queue.shift();
    if (turn === undefined) throw new Error(`no scripted turn left for call ${requests.length}`);
    return turn;
  };
  const aborted = (request: ModelRequest) =>
    new Promise<never>((_, reject) => {
      const fail = () =>
        reject(new ModelCallError('unknown', 'aborted', { cause: request.signal?.reason }));
      if (request.signal?.aborted === true) fail();
      request.signal?.addEventListener('abort', fail, { once: true });
    });
  return {
    provider: 'scripted',
    model,
    requests,
    get closedEarly() {
      return closedEarly;
    },
    async generate(request) {
      const turn = next(request);
      if ('fail' in turn) throw turn.fail;
      if ('hang' in turn || 'stall' in turn) return aborted(request);
      return turn.respond;
    },
    async *stream(request): AsyncGenerator<StreamEvent> {
      const turn = next(request);
      if ('fail' in turn) throw turn.fail;
      if ('hang' in turn) return await aborted(request);
      let done = false;
      try {
        if ('stall' in turn) {
          for (const word of turn.stall.split(/(?<= )/)) yield { type: 'text-delta', text: word };
          return await aborted(request);
        }
        for (const part of turn.respond.content) {
          if (request.signal?.aborted === true) await aborted(request);
          if (part.type === 'text') {
            // Word by word, so a consumer sees several deltas.
            for (const word of part.text.split(/(?<= )/)) yield { type: 'text-delta', text: word };
          } else if (part.type === 'tool-call') {
            yield { type: 'tool-call', callId: part.callId, name: part.name, input: part.input };
          }
        }
        done = true;
        yield {
          type: 'finish',
          finishReason: turn.respond.finishReason,
          usage: turn.respond.usage,
          model: turn.respond.model,
          ...(turn.respond.responseId === undefined ? {} : { responseId: turn.respond.responseId }),
        };
      } finally {
        if (!done) closedEarly++;
      }
    },
  };
}

export function textResponse(text: string, usage = { inputTokens: 12, outputTokens: 3 }): Turn {
  return {
    respond: {
      content: [{ type: 'text', text }],
      finishReason: 'stop',
      usage,
      model: 'scripted-1',
    },
  };
}
