import {
  APICallError,
  InvalidArgumentError,
  InvalidPromptError,
  LoadAPIKeyError,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import { isModelCallError, ModelCallError, type ModelCallErrorData } from '@warden/agents';
import { classifyHttpFailure, type Origin } from './internal/classify-http-failure.js';

export type { Origin } from './internal/classify-http-failure.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Whatever an AI SDK model threw, as a `ModelCallError`: the one place where AI SDK errors are
 * read. An `APICallError` with a status is classified from its status, headers and body; one
 * that carries a warden error (a model that `toAiSdk` adapted) gives that error back unchanged in
 * kind; an abort gives the signal's reason when it is a `ModelCallError` (a deadline), else an
 * `unknown` that is not retried. Nothing else escapes: an unrecognised throw is `unknown`.
 */
export function classifyAiSdkError(
  error: unknown,
  origin: Origin,
  signal?: AbortSignal,
): ModelCallError {
  if (error instanceof ModelCallError) return error;
  if (isModelCallError(error)) return revive(error, error);
  if (signal?.aborted === true) return aborted(signal.reason, origin);
  if (APICallError.isInstance(error)) return fromApiCallError(error, origin);
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'AbortError') return aborted(error, origin);
  if (name === 'TimeoutError') return make('timeout', error, origin);
  if (LoadAPIKeyError.isInstance(error)) return make('auth', error, origin);
  if (
    InvalidPromptError.isInstance(error) ||
    InvalidArgumentError.isInstance(error) ||
    UnsupportedFunctionalityError.isInstance(error)
  ) {
    return make('bad_request', error, origin);
  }
  if (isNetworkFailure(error)) return make('network', error, origin);
  return make('unknown', error, origin);
}

function fromApiCallError(error: APICallError, origin: Origin): ModelCallError {
  if (isModelCallError(error.data)) return revive(error.data, error);
  if (error.statusCode === undefined) {
    // No response at all: the request never reached a server that answered.
    return make(error.isRetryable ? 'network' : 'unknown', error, origin);
  }
  return classifyHttpFailure(
    {
      status: error.statusCode,
      headers: error.responseHeaders,
      body: error.responseBody,
      message: error.message,
      cause: error,
    },
    origin,
  );
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

/** The caller gave up: not the provider's failure, and not worth a retry. */
function aborted(reason: unknown, origin: Origin): ModelCallError {
  if (reason instanceof ModelCallError) return reason;
  return new ModelCallError('unknown', 'the call was aborted', {
    provider: origin.provider,
    model: origin.model,
    retryable: false,
    cause: reason,
  });
}

function make(kind: ModelCallError['kind'], error: unknown, origin: Origin): ModelCallError {
  const message = error instanceof Error ? error.message : String(error);
  return new ModelCallError(kind, message, {
    provider: origin.provider,
    model: origin.model,
    cause: error,
  });
}

/** fetch's `TypeError: fetch failed` and socket errors, by their code or their cause's. */
function isNetworkFailure(error: unknown): boolean {
  for (let e = error, depth = 0; e !== null && typeof e === 'object' && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
