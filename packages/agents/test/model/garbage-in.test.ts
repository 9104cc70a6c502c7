import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  classifyHttpError,
  isModelCallError,
  MODEL_ERROR_KINDS,
  type StreamEvent,
} from '../../src/index.js';
import { AnthropicStreamState } from '../../src/model/anthropic/anthropic-stream-state.js';
import { OpenAIStreamState } from '../../src/model/openai/openai-stream-state.js';

/** Replays a failure fast-check printed: FC_SEED=<seed> FC_PATH=<path>. */
function replay<T>(params: fc.Parameters<T>): fc.Parameters<T> {
  const { FC_SEED, FC_PATH } = process.env;
  return {
    ...params,
    ...(FC_SEED === undefined ? {} : { seed: Number(FC_SEED) }),
    ...(FC_PATH === undefined ? {} : { path: FC_PATH }),
  };
}

const labels = { provider: 'p', model: 'm' };

/** JSON values shaped a little like provider payloads, and a lot like garbage. */
const payload = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.record(
      {
        type: fc.constantFrom(
          'error',
          'message_start',
          'content_block_start',
          'content_block_delta',
          'content_block_stop',
          'message_delta',
          'message_stop',
          'overloaded_error',
          'ping',
        ),
        index: fc.oneof(fc.nat(3), fc.string()),
        error: tie('value'),
        delta: tie('value'),
        message: tie('value'),
        content_block: tie('value'),
        choices: fc.oneof(fc.array(tie('value'), { maxLength: 2 }), tie('value')),
        usage: tie('value'),
      },
      { requiredKeys: [] },
    ),
  ),
})).value;

describe('garbage in, typed errors out', () => {
  it('classifies any status and any body into the closed taxonomy without throwing (property)', () => {
    fc.assert(
      fc.property(
        fc.option(fc.integer({ min: 100, max: 999 }), { nil: undefined }),
        fc.oneof(payload, fc.string()),
        (status, body) => {
          const error = classifyHttpError({ status, body, now: 0 });
          expect(MODEL_ERROR_KINDS).toContain(error.kind);
        },
      ),
      replay({ numRuns: 300 }),
    );
  });

  it('reads any event data as events or a ModelCallError, nothing else (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            payload.map((v) => JSON.stringify(v)),
            fc.string(),
          ),
          { maxLength: 8 },
        ),
        (events) => {
          for (const state of [new OpenAIStreamState(labels), new AnthropicStreamState(labels)]) {
            const out: StreamEvent[] = [];
            try {
              for (const data of events) state.accept(data, out);
              state.end();
            } catch (error) {
              expect(isModelCallError(error), String(error)).toBe(true);
            }
          }
        },
      ),
      replay({ numRuns: 300 }),
    );
  });
});
