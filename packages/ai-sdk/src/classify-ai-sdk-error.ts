import {
  APICallError,
  InvalidArgumentError,
  InvalidPromptError,
  LoadAPIKeyError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import {
  classifyFetchFailure,
  classifyHttpError,
  isModelCallError,
  ModelCallError,
  type ModelCallErrorData,
} from '@warden/agents';
import type { Origin } from './origin.js';

/**
 * Whatever an AI SDK model threw, as a `ModelCallError`: the one place where AI SDK errors are
 * read. An `APICallError` with a status goes through `classifyHttpError` with its status,
 * headers and body, so a body means the same kind here as in warden's own clients; one that
 * carries a warden error (a model that `toAiSdk` adapted) gives that error back with its kind;
 * a failure without a response goes through `classifyFetchFailure`. A missing API key is `auth`,
 * a prompt or argument the provider refused before sending is `bad_request`, and anything else
 * is `unknown`: nothing escapes untyped.
 */
export function classifyAiSdkError(error: unknown, origin: Origin): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (isModelCallError(error)) return revive(error, error);
  if (APICallError.isInstance(error)) return fromApiCallError(error, origin);
  if (LoadAPIKeyError.isInstance(error)) return make('auth', error, origin);
  if (
    InvalidPromptError.isInstance(error) ||
    InvalidArgumentError.isInstance(error) ||
    UnsupportedFunctionalityError.isInstance(error)
  ) {
    return make('bad_request', error, origin);
  }
  if ((error as { name?: unknown } | null)?.name === 'TimeoutError') {
    return make('timeout', error, origin);
  }
  return classifyFetchFailure(error, origin);
}

function fromApiCallError(error: APICallError, origin: Origin): ModelCallError {
  if (isModelCallError(error.data)) return revive(error.data, error);
  if (error.statusCode === undefined) {
    // No response: the AI SDK wraps fetch's failure, whose socket code is on the cause.
    const failure = classifyFetchFailure(error.cause ?? error, origin);
    return failure.kind === 'unknown' && error.isRetryable
      ? make('network', error, origin)
      : failure;
  }
  return classifyHttpError({
    provider: origin.provider,
    model: origin.model,
    status: error.statusCode,
    body: error.responseBody,
    cause: error,
    ...(error.responseHeaders === undefined ? {} : { headers: error.responseHeaders }),
  });
}

type ErrorFields = Pick<ModelCallErrorData, 'kind' | 'message'> & {
  readonly [K in 'status' | 'retryAfterMs' | 'providerCode' | 'provider' | 'model']?:
    | ModelCallErrorData[K]
    | undefined;
} & { readonly retryable?: unknown };

/** A warden error that crossed the AI SDK (as `APICallError.data`) or a realm, as it was. */
function revive(data: ErrorFields, cause: unknown): ModelCallError {
  return new ModelCallError(data.kind, data.message, {
    cause,
    ...(typeof data.retryable === 'boolean' ? { retryable: data.retryable } : {}),
    ...(data.status === undefined ? {} : { status: data.status }),
    ...(data.retryAfterMs === undefined ? {} : { retryAfterMs: data.retryAfterMs }),
    ...(data.providerCode === undefined ? {} : { providerCode: data.providerCode }),
    ...(data.provider === undefined ? {} : { provider: data.provider }),
    ...(data.model === undefined ? {} : { model: data.model }),
  });
}

function make(kind: ModelCallError['kind'], error: unknown, origin: Origin): ModelCallError {
  const message = error instanceof Error ? error.message : String(error);
  return new ModelCallError(kind, `${origin.provider}: ${message}`, {
    provider: origin.provider,
    model: origin.model,
    cause: error,
  });
}
