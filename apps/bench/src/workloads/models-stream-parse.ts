import Anthropic from '@anthropic-ai/sdk';
import {
  createAnthropicClient,
  createOpenAIClient,
  type ModelClient,
  type ModelRequest,
} from '@warden/agents';
import { systemClock } from '@warden/core';
import OpenAI from 'openai';
import { expectEqual } from '../check.js';
import type { Case, ContenderName, Metric, Sample, Workload } from '../workload.js';
import { scaled } from '../workload.js';
import {
  anthropicRecording,
  EXPECTED_TEXT,
  openAIRecording,
  TOOL_INPUT,
} from './models-sse-recordings.js';
import { replayFetch, startSseStub } from './models-sse-stub.js';

/**
 * What a model client costs per streamed response, against the official SDKs consuming the same
 * recorded bytes (`models-sse-recordings.ts`: 320 text deltas, a tool call in 12 pieces, usage).
 * Every contender reads the whole stream to its final event and reassembles the text and the
 * tool call's arguments (the SDK consumers concatenate the deltas and parse the arguments once,
 * what warden's client hands over), and the result is checked.
 *
 * - `.../http`: from one stub server on 127.0.0.1 serving the recording (keep-alive; the
 *   server's own cost falls on every contender alike).
 * - `.../fetch`: each client given a `fetch` that returns a `Response` over the same bytes, no
 *   socket at all: the parse cost alone (and each client's request building).
 *
 * `raw` is the floor: the same request through fetch, the body read to its end, nothing parsed.
 * Ratios are taken against the official SDK of the provider.
 */
export const modelsStreamParse: Workload = {
  name: 'models-stream-parse',
  title: 'Model clients: parsing a recorded streamed response, vs the official SDKs',
  cases(scale: number): Case[] {
    const overHttp = scaled(300, scale, 3);
    const inMemory = scaled(1_000, scale, 5);
    return [
      providerCase('openai', 'http', overHttp),
      providerCase('openai', 'fetch', inMemory),
      providerCase('anthropic', 'http', overHttp),
      providerCase('anthropic', 'fetch', inMemory),
    ];
  },
};

type Provider = 'openai' | 'anthropic';
type Transport = 'http' | 'fetch';

const METRICS: readonly Metric[] = [{ key: 'us', unit: 'µs', label: 'per response' }];

const SDK: Record<Provider, ContenderName> = { openai: 'openai-sdk', anthropic: 'anthropic-sdk' };

function providerCase(provider: Provider, transport: Transport, n: number): Case {
  const sdk = SDK[provider];
  const recording = provider === 'openai' ? openAIRecording() : anthropicRecording();
  const bytes = recording.reduce((sum, e) => sum + e.byteLength, 0);
  const run = (consumer: Consumer) => () => measure(provider, recording, transport, n, consumer);
  return {
    id: `models-stream-parse/${provider}-${transport}`,
    params: `${n} responses of ${recording.length} events (${bytes} B) ${
      transport === 'http' ? 'from a stub server on 127.0.0.1' : 'from a fetch override'
    }`,
    metrics: METRICS,
    ops: n,
    baseline: sdk,
    run: {
      raw: run(rawConsumer),
      warden: run(provider === 'openai' ? wardenOpenAI : wardenAnthropic),
      [sdk]: run(provider === 'openai' ? openAISdk : anthropicSdk),
    },
  };
}

/** Where the stream comes from: a base URL, and the fetch to use (undefined: Node's own). */
interface Source {
  readonly url: string;
  readonly fetch: typeof fetch | undefined;
}

/** What one response gave: its text and the tool call's arguments, as parsed JSON. */
interface Parsed {
  readonly text: string;
  readonly toolInput: unknown;
}

/** Builds a client for `source` (outside the timed region) and returns one streamed call. */
type Consumer = (source: Source, provider: Provider) => () => Promise<Parsed | number>;

const REQUEST: ModelRequest = {
  system: 'You are a weather assistant.',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the weather in Oslo?' }] }],
  tools: [
    {
      name: 'get_weather',
      description: 'The forecast for a city',
      inputSchema: {
        type: 'object',
        properties: { city: { type: 'string' }, unit: { type: 'string' } },
        required: ['city'],
      },
    },
  ],
  maxOutputTokens: 1024,
};

const USER_MESSAGE = { role: 'user' as const, content: 'What is the weather in Oslo?' };

async function measure(
  provider: Provider,
  recording: readonly Uint8Array[],
  transport: Transport,
  n: number,
  consumer: Consumer,
): Promise<Sample> {
  const stub = transport === 'http' ? await startSseStub(recording) : undefined;
  try {
    const source: Source = {
      url: stub?.url ?? 'http://127.0.0.1:9',
      fetch: transport === 'fetch' ? replayFetch(recording) : undefined,
    };
    const call = consumer(source, provider);
    const expectedBytes = recording.reduce((sum, e) => sum + e.byteLength, 0);
    const start = performance.now();
    for (let i = 0; i < n; i++) check(await call(), expectedBytes);
    return { us: ((performance.now() - start) * 1e3) / n };
  } finally {
    await stub?.close();
  }
}

function check(result: Parsed | number, expectedBytes: number): void {
  if (typeof result === 'number') {
    expectEqual('bytes read', result, expectedBytes);
    return;
  }
  expectEqual('reassembled text', result.text, EXPECTED_TEXT);
  expectEqual('tool call arguments', JSON.stringify(result.toolInput), JSON.stringify(TOOL_INPUT));
}

const rawConsumer: Consumer = (source, provider) => {
  const f = source.fetch ?? fetch;
  const url =
    provider === 'openai' ? `${source.url}/v1/chat/completions` : `${source.url}/v1/messages`;
  const body = JSON.stringify({ model: 'bench', stream: true, messages: [USER_MESSAGE] });
  return async () => {
    const response = await f(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    let bytes = 0;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return bytes;
      bytes += value.byteLength;
    }
  };
};

async function consumeWarden(client: ModelClient): Promise<Parsed> {
  let text = '';
  let toolInput: unknown;
  let finished = false;
  for await (const event of client.stream(REQUEST)) {
    if (event.type === 'text-delta') text += event.text;
    else if (event.type === 'tool-call') toolInput = event.input;
    else finished = true;
  }
  expectEqual('finish event', finished, true);
  return { text, toolInput };
}

const wardenOpenAI: Consumer = (source) => {
  const client = createOpenAIClient({
    apiKey: 'sk-bench',
    model: 'gpt-4o-mini',
    clock: systemClock,
    baseUrl: `${source.url}/v1`,
    ...(source.fetch === undefined ? {} : { fetch: source.fetch }),
  });
  return () => consumeWarden(client);
};

const wardenAnthropic: Consumer = (source) => {
  const client = createAnthropicClient({
    apiKey: 'sk-ant-bench',
    model: 'claude-sonnet-4-20250514',
    clock: systemClock,
    baseUrl: `${source.url}/v1`,
    ...(source.fetch === undefined ? {} : { fetch: source.fetch }),
  });
  return () => consumeWarden(client);
};

const openAISdk: Consumer = (source) => {
  const client = new OpenAI({
    apiKey: 'sk-bench',
    baseURL: `${source.url}/v1`,
    maxRetries: 0,
    ...(source.fetch === undefined ? {} : { fetch: source.fetch }),
  });
  return async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 1024,
      messages: [{ role: 'system', content: 'You are a weather assistant.' }, USER_MESSAGE],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'The forecast for a city',
            parameters: REQUEST.tools?.[0]?.inputSchema as Record<string, unknown>,
          },
        },
      ],
    });
    let text = '';
    let args = '';
    let usage = false;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) text += delta.content;
      const call = delta?.tool_calls?.[0];
      if (call?.function?.arguments) args += call.function.arguments;
      if (chunk.usage) usage = true;
    }
    expectEqual('usage chunk', usage, true);
    return { text, toolInput: JSON.parse(args) };
  };
};

const anthropicSdk: Consumer = (source) => {
  const client = new Anthropic({
    apiKey: 'sk-ant-bench',
    baseURL: source.url,
    maxRetries: 0,
    ...(source.fetch === undefined ? {} : { fetch: source.fetch }),
  });
  return async () => {
    const stream = await client.messages.create({
      model: 'claude-sonnet-4-20250514',
      stream: true,
      max_tokens: 1024,
      system: 'You are a weather assistant.',
      messages: [USER_MESSAGE],
      tools: [
        {
          name: 'get_weather',
          description: 'The forecast for a city',
          input_schema: REQUEST.tools?.[0]?.inputSchema as Anthropic.Tool.InputSchema,
        },
      ],
    });
    let text = '';
    let args = '';
    let stopped = false;
    for await (const event of stream) {
      if (event.type === 'content_block_delta') {
        if (event.delta.type === 'text_delta') text += event.delta.text;
        else if (event.delta.type === 'input_json_delta') args += event.delta.partial_json;
      } else if (event.type === 'message_stop') stopped = true;
    }
    expectEqual('message_stop event', stopped, true);
    return { text, toolInput: JSON.parse(args) };
  };
};
