import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { ModelClient, ModelRequest, ModelResponse, StreamEvent } from '@warden/agents';
import { isModelCallError } from '@warden/agents';
import { INSTRUMENTATION_SCOPE } from './instrument-node.js';
import { usageAttributes } from './internal/usage-attributes.js';

/**
 * A model client whose every `generate` and `stream` call is a GenAI client span (`chat
 * {model}`): provider, requested and answering model, token usage and finish reason, and on
 * failure the `ModelCallError` kind as `error.type`. It nests under the active span, and the
 * call runs inside its own span, so spans of the HTTP request below it nest too. It changes
 * nothing else: the same answers, the same errors, the same aborts.
 */
export function traceModel(
  client: ModelClient,
  tracer: Tracer = trace.getTracer(INSTRUMENTATION_SCOPE),
): ModelClient {
  const start = (request: ModelRequest): Span =>
    tracer.startSpan(`chat ${client.model}`, {
      kind: SpanKind.CLIENT,
      attributes: requestAttributes(client, request),
    });
  return {
    provider: client.provider,
    model: client.model,
    async generate(request) {
      const span = start(request);
      try {
        const response = await context.with(trace.setSpan(context.active(), span), () =>
          client.generate(request),
        );
        span.setAttributes(responseAttributes(response));
        return response;
      } catch (error) {
        failed(span, error);
        throw error;
      } finally {
        span.end();
      }
    },
    stream(request) {
      return {
        [Symbol.asyncIterator]: () => tracedStream(client, request, start),
      };
    },
  };
}

async function* tracedStream(
  client: ModelClient,
  request: ModelRequest,
  start: (request: ModelRequest) => Span,
): AsyncGenerator<StreamEvent> {
  const span = start(request);
  let finished = false;
  try {
    const events = context.with(trace.setSpan(context.active(), span), () =>
      client.stream(request)[Symbol.asyncIterator](),
    );
    // Iterated by hand, so a consumer that stops early (`break`) returns the inner stream too.
    const iterable = { [Symbol.asyncIterator]: () => events };
    for await (const event of iterable) {
      if (event.type === 'finish') {
        finished = true;
        span.setAttributes(
          responseAttributes({
            model: event.model,
            finishReason: event.finishReason,
            usage: event.usage,
            ...(event.responseId === undefined ? {} : { responseId: event.responseId }),
          }),
        );
      }
      yield event;
    }
  } catch (error) {
    failed(span, error);
    throw error;
  } finally {
    // A stream left before its finish event was abandoned by its consumer, not failed.
    if (!finished) span.setAttribute('warden.stream.abandoned', true);
    span.end();
  }
}

function requestAttributes(client: ModelClient, request: ModelRequest): Attributes {
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': client.provider,
    'gen_ai.request.model': client.model,
  };
  if (request.maxOutputTokens !== undefined) {
    attributes['gen_ai.request.max_tokens'] = request.maxOutputTokens;
  }
  if (request.temperature !== undefined) {
    attributes['gen_ai.request.temperature'] = request.temperature;
  }
  if (request.stop !== undefined) attributes['gen_ai.request.stop_sequences'] = [...request.stop];
  return attributes;
}

function responseAttributes(
  response: Pick<ModelResponse, 'model' | 'finishReason' | 'usage' | 'responseId'>,
): Attributes {
  const attributes: Attributes = {
    'gen_ai.response.model': response.model,
    'gen_ai.response.finish_reasons': [response.finishReason],
    ...usageAttributes(response.usage),
  };
  if (response.responseId !== undefined) attributes['gen_ai.response.id'] = response.responseId;
  return attributes;
}

/** `error.type`: the model error's kind, else the error's stable code, else its name. */
function failed(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  const type = isModelCallError(error)
    ? error.kind
    : typeof code === 'string'
      ? code
      : error instanceof Error
        ? error.name
        : '_OTHER';
  span.setAttribute('error.type', type);
  if (isModelCallError(error) && error.status !== undefined) {
    span.setAttribute('http.response.status_code', error.status);
  }
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}
