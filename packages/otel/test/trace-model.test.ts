import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createScriptedModel, faults } from '@warden/agents/testing';
import { TestClock } from '@warden/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { traceModel } from '../src/index.js';
import { only, spanWorld } from './span-world.js';

const request = {
  messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'hi' }] }],
  maxOutputTokens: 256,
  temperature: 0.2,
};

describe('traceModel', () => {
  afterEach(() => {
    context.disable();
  });

  it('makes a GenAI client span per generate call with the request and response attributes', async () => {
    const { provider, spans } = spanWorld();
    const clock = new TestClock();
    const model = createScriptedModel({
      clock,
      provider: 'openai',
      model: 'gpt-test',
      script: { text: 'hello' },
    });
    const traced = traceModel(model, provider.getTracer('test'));
    expect([traced.provider, traced.model]).toEqual(['openai', 'gpt-test']);
    const response = await traced.generate(request);
    expect(response.content).toEqual([{ type: 'text', text: 'hello' }]);
    const span = only(spans(), 'chat gpt-test');
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.request.max_tokens': 256,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.response.model': 'gpt-test',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': response.usage.inputTokens,
      'gen_ai.usage.output_tokens': response.usage.outputTokens,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('records the ModelCallError kind as error.type and rethrows the same error', async () => {
    const { provider, spans } = spanWorld();
    const clock = new TestClock();
    const model = createScriptedModel({
      clock,
      model: 'gpt-test',
      script: { text: 'never' },
      faults: [{ effect: faults.rateLimited(2_000) }],
    });
    const traced = traceModel(model, provider.getTracer('test'));
    const error = await traced.generate(request).catch((e: unknown) => e);
    expect(error).toMatchObject({ _tag: 'ModelCallError', kind: 'rate_limited' });
    const span = only(spans(), 'chat gpt-test');
    expect(span.attributes['error.type']).toBe('rate_limited');
    expect(span.attributes['http.response.status_code']).toBe(429);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
  });

  it('makes one span per stream, ended by its finish event, and passes every event through', async () => {
    const { provider, spans } = spanWorld();
    const clock = new TestClock();
    const options = { clock, model: 'gpt-test', script: { text: 'streamed' } };
    const traced = traceModel(createScriptedModel(options), provider.getTracer('test'));
    const direct: unknown[] = [];
    for await (const event of createScriptedModel(options).stream(request)) direct.push(event);
    const seen: unknown[] = [];
    for await (const event of traced.stream(request)) seen.push(event);
    expect(seen).toEqual(direct);
    const span = only(spans(), 'chat gpt-test');
    expect(span.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);
    expect(span.attributes['warden.stream.abandoned']).toBeUndefined();
  });

  it('marks a stream its consumer left early as abandoned, not failed', async () => {
    const { provider, spans } = spanWorld();
    const clock = new TestClock();
    const model = createScriptedModel({ clock, model: 'gpt-test', script: { text: 'a b c d' } });
    const traced = traceModel(model, provider.getTracer('test'));
    for await (const _ of traced.stream(request)) break;
    const span = only(spans(), 'chat gpt-test');
    expect(span.attributes['warden.stream.abandoned']).toBe(true);
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('nests under the active span and makes the call inside its own span', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const { provider, spans } = spanWorld();
    const tracer = provider.getTracer('test');
    const clock = new TestClock();
    let inside: string | undefined;
    const model = createScriptedModel({
      clock,
      model: 'gpt-test',
      script: () => {
        inside = trace.getActiveSpan()?.spanContext().spanId;
        return { text: 'ok' };
      },
    });
    const traced = traceModel(model, tracer);
    await tracer.startActiveSpan('handle request', async (parent) => {
      await traced.generate(request);
      parent.end();
    });
    const call = only(spans(), 'chat gpt-test');
    const parent = only(spans(), 'handle request');
    expect(call.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(inside).toBe(call.spanContext().spanId);
  });
});
