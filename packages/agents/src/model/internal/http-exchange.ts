import { classifyHttpError } from '../classify-error.js';
import { HTTP_CLIENT_DEFAULTS, type ResolvedHttpClientOptions } from '../http-client-options.js';
import { ModelCallError } from '../model-call-error.js';
import { type SseEvent, SseParser } from '../sse.js';
import { CallScope } from './call-scope.js';

export interface ExchangeRequest {
  readonly options: ResolvedHttpClientOptions;
  /** Appended to `baseUrl` (`'/chat/completions'`). */
  readonly path: string;
  /** The provider's own headers (authentication, version); the user's `headers` override them. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly signal: AbortSignal | undefined;
}

function scopeOf(request: ExchangeRequest, stream: boolean): CallScope {
  const { clock, timeoutMs, idleTimeoutMs, provider, model } = request.options;
  return new CallScope({
    clock,
    timeoutMs,
    provider,
    model,
    ...(stream ? { idleTimeoutMs } : {}),
    ...(request.signal === undefined ? {} : { signal: request.signal }),
  });
}

function invalidResponse(
  request: ExchangeRequest,
  message: string,
  status?: number,
  cause?: unknown,
): ModelCallError {
  const { provider, model } = request.options;
  return new ModelCallError('server', `${provider}: invalid response: ${message}`, {
    provider,
    model,
    ...(status === undefined ? {} : { status }),
    ...(cause === undefined ? {} : { cause }),
  });
}

/** The media type of a response, without parameters, lowercased. */
function mediaType(response: Response): string {
  const value = response.headers.get('content-type') ?? '';
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}

/** Reads a body as text, at most `maxBytes`; past it, cuts (`truncate`) or fails. */
async function readText(
  request: ExchangeRequest,
  response: Response,
  scope: CallScope,
  maxBytes: number,
  overflow: 'truncate' | 'fail',
): Promise<string> {
  if (response.body === null) return '';
  const reader = response.body.getReader();
  scope.onStop(() => void reader.cancel().catch(() => {}));
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (scope.stopped) throw scope.failure();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      void reader.cancel().catch(() => {});
      if (overflow === 'fail') {
        throw invalidResponse(request, `the body exceeds ${maxBytes} bytes`, response.status);
      }
      text += decoder.decode(value.subarray(0, value.byteLength - (bytes - maxBytes)));
      return text;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** Sends the request; returns a 2xx response of the expected media type, or throws classified. */
async function open(
  request: ExchangeRequest,
  scope: CallScope,
  accept: 'application/json' | 'text/event-stream',
): Promise<Response> {
  if (scope.stopped) throw scope.failure();
  const { options } = request;
  let body: string;
  try {
    body = JSON.stringify(request.body);
  } catch (cause) {
    throw new ModelCallError('bad_request', `${options.provider}: the request is not JSON`, {
      provider: options.provider,
      model: options.model,
      cause,
    });
  }
  const response = await scope.guard(
    options.fetch(`${options.baseUrl}${request.path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept,
        ...request.headers,
        ...options.headers,
      },
      body,
      signal: scope.signal,
    }),
  );
  if (!response.ok) {
    const text = await readText(
      request,
      response,
      scope,
      HTTP_CLIENT_DEFAULTS.maxErrorBodyBytes,
      'truncate',
    );
    throw classifyHttpError({
      provider: options.provider,
      model: options.model,
      status: response.status,
      headers: response.headers,
      body: text,
      now: options.wallClock(),
    });
  }
  const type = mediaType(response);
  const expected =
    accept === 'application/json' ? type === accept || type.endsWith('+json') : type === accept;
  if (!expected || response.body === null) {
    void response.body?.cancel().catch(() => {});
    throw invalidResponse(
      request,
      response.body === null
        ? 'no body'
        : `expected ${accept}, got ${type === '' ? 'no content type' : type}`,
      response.status,
    );
  }
  return response;
}

/**
 * One JSON request, one JSON answer, under one deadline. The answer goes through `validate`
 * (which throws a `ModelCallError` for a wrong shape): a response is never trusted as typed.
 */
export async function exchangeJson<T>(
  request: ExchangeRequest,
  validate: (value: unknown) => T,
): Promise<T> {
  const scope = scopeOf(request, false);
  try {
    const response = await open(request, scope, 'application/json');
    const max = request.options.maxResponseBytes;
    const text = await readText(request, response, scope, max, 'fail');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (cause) {
      throw invalidResponse(request, 'the body is not JSON', response.status, cause);
    }
    return validate(value);
  } catch (error) {
    throw scope.failure(error);
  } finally {
    scope.dispose();
  }
}

/**
 * One JSON request answered by server-sent events, under a deadline for the whole stream and an
 * idle timeout between chunks. The events come in batches, one per chunk read (one async step
 * per chunk, not per event); a batch is reused once the consumer asks for the next. Stopping
 * early (`break` in the consumer's loop) cancels the body, which closes the connection.
 */
export async function* exchangeSse(
  request: ExchangeRequest,
): AsyncGenerator<readonly SseEvent[], void, undefined> {
  const scope = scopeOf(request, true);
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let complete = false;
  try {
    const response = await open(request, scope, 'text/event-stream');
    const current = (response.body as ReadableStream<Uint8Array>).getReader();
    reader = current;
    scope.onStop(() => void current.cancel().catch(() => {}));
    scope.watchIdle();
    const { provider, model, maxEventLength } = request.options;
    const parser = new SseParser({ provider, model, maxEventLength });
    const ready: SseEvent[] = [];
    const emit = (event: SseEvent): void => {
      ready.push(event);
    };
    for (;;) {
      scope.beginRead();
      const { done, value } = await current.read();
      scope.endRead();
      if (scope.stopped) throw scope.failure();
      if (done) break;
      parser.push(value, emit);
      if (ready.length > 0) {
        yield ready;
        ready.length = 0;
      }
    }
    complete = true;
    parser.end(emit);
    if (ready.length > 0) yield ready;
  } catch (error) {
    throw scope.failure(error);
  } finally {
    if (!complete) {
      scope.release();
      void reader?.cancel().catch(() => {});
    }
    scope.dispose();
  }
}
