import { APICallError } from '@ai-sdk/provider';
import { isModelCallError, ModelCallError } from '@warden/agents';
import type { Origin } from '../origin.js';

/**
 * A warden client's failure as the AI SDK expects it: an `APICallError` with the status, the
 * retryability and, when the error says when to come back, `retry-after-ms` and `retry-after`
 * headers (which the AI SDK's own retry honours). The warden error rides along as `data` (its
 * wire shape) and `cause`, so `fromAiSdk` recovers its kind exactly. A client that broke its
 * contract and threw something else surfaces as a non-retryable `unknown`.
 */
export function toApiCallError(error: unknown, origin: Origin): APICallError {
  if (APICallError.isInstance(error)) return error;
  const failure = isModelCallError(error)
    ? error
    : new ModelCallError('unknown', error instanceof Error ? error.message : String(error), {
        provider: origin.provider,
        model: origin.model,
        cause: error,
      });
  const retryAfterMs = failure.retryAfterMs;
  return new APICallError({
    message: failure.message,
    url: `warden:${failure.provider ?? origin.provider}/${failure.model ?? origin.model}`,
    requestBodyValues: undefined,
    isRetryable: failure.retryable,
    data: typeof failure.toJSON === 'function' ? failure.toJSON() : failure,
    cause: failure,
    ...(failure.status === undefined ? {} : { statusCode: failure.status }),
    ...(retryAfterMs === undefined
      ? {}
      : {
          responseHeaders: {
            'retry-after-ms': String(retryAfterMs),
            'retry-after': String(Math.ceil(retryAfterMs / 1000)),
          },
        }),
  });
}
