/**
 * The streamed responses the parse benchmark replays, byte for byte the wire formats of OpenAI's
 * chat completions (`stream: true` with `stream_options.include_usage`) and Anthropic's Messages
 * API: the same chunk and event shapes, field order and framing those APIs send, one server-sent
 * event per network write. Each answer is 320 words of text in one delta per word (as the APIs
 * send tokens), then one tool call whose arguments arrive in 12 pieces, then the usage.
 *
 * Built once from fixed data (no randomness), so every contender parses the same bytes.
 */

const WORDS = (
  'Supervisors restart what fails and leave the rest alone; a link carries the exit reason to ' +
  'whoever depends on the process, and a monitor tells an observer without tying their fates. ' +
  'The breaker opens after repeated failures, waits on the node clock, and lets one probe ' +
  'through before it closes again. Retries spread with jitter inside a budget, so a rate limit ' +
  'never becomes a storm. '
)
  .trim()
  .split(' ');

const WORD_COUNT = 320;
const TOOL_NAME = 'get_weather';
export const TOOL_INPUT = { city: 'Oslo', unit: 'celsius', days: 3, detail: 'hourly' };

function textDeltas(): string[] {
  return Array.from(
    { length: WORD_COUNT },
    (_, i) => (i === 0 ? '' : ' ') + WORDS[i % WORDS.length],
  );
}

/** The text every contender must reassemble from the deltas. */
export const EXPECTED_TEXT = textDeltas().join('');

function argumentPieces(): string[] {
  const json = JSON.stringify(TOOL_INPUT);
  const pieces: string[] = [];
  const size = Math.ceil(json.length / 12);
  for (let i = 0; i < json.length; i += size) pieces.push(json.slice(i, i + size));
  return pieces;
}

const encoder = new TextEncoder();

function openAIChunk(choices: string, usage = 'null'): string {
  return (
    `data: {"id":"chatcmpl-BdT9u2KqLmV0aQ8rZ7xYp3nWc1sE","object":"chat.completion.chunk",` +
    `"created":1765000000,"model":"gpt-4o-mini-2024-07-18","service_tier":"default",` +
    `"system_fingerprint":"fp_560af6e559","choices":${choices},"usage":${usage}}\n\n`
  );
}

function openAIChoice(delta: string, finish = 'null'): string {
  return `[{"index":0,"delta":${delta},"logprobs":null,"finish_reason":${finish}}]`;
}

/** OpenAI chat completions, streamed: one Uint8Array per event, as the server writes them. */
export function openAIRecording(): Uint8Array[] {
  const events: string[] = [
    openAIChunk(openAIChoice('{"role":"assistant","content":"","refusal":null}')),
  ];
  for (const delta of textDeltas()) {
    events.push(openAIChunk(openAIChoice(`{"content":${JSON.stringify(delta)}}`)));
  }
  events.push(
    openAIChunk(
      openAIChoice(
        `{"tool_calls":[{"index":0,"id":"call_Qm3vX8tB2nL5kR7wZ1yH4cJd","type":"function",` +
          `"function":{"name":"${TOOL_NAME}","arguments":""}}]}`,
      ),
    ),
  );
  for (const piece of argumentPieces()) {
    events.push(
      openAIChunk(
        openAIChoice(
          `{"tool_calls":[{"index":0,"function":{"arguments":${JSON.stringify(piece)}}}]}`,
        ),
      ),
    );
  }
  events.push(openAIChunk(openAIChoice('{}', '"tool_calls"')));
  events.push(
    openAIChunk(
      '[]',
      `{"prompt_tokens":412,"completion_tokens":351,"total_tokens":763,` +
        `"prompt_tokens_details":{"cached_tokens":256,"audio_tokens":0},` +
        `"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,` +
        `"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}`,
    ),
  );
  events.push('data: [DONE]\n\n');
  return events.map((e) => encoder.encode(e));
}

function anthropicEvent(type: string, data: string): string {
  return `event: ${type}\ndata: ${data}\n\n`;
}

/** Anthropic Messages, streamed: one Uint8Array per event, as the server writes them. */
export function anthropicRecording(): Uint8Array[] {
  const events: string[] = [
    anthropicEvent(
      'message_start',
      `{"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message",` +
        `"role":"assistant","model":"claude-sonnet-4-20250514","content":[],"stop_reason":null,` +
        `"stop_sequence":null,"usage":{"input_tokens":156,"cache_creation_input_tokens":0,` +
        `"cache_read_input_tokens":256,"output_tokens":1,"service_tier":"standard"}}}`,
    ),
    anthropicEvent(
      'content_block_start',
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
    ),
    anthropicEvent('ping', '{"type": "ping"}'),
  ];
  for (const delta of textDeltas()) {
    events.push(
      anthropicEvent(
        'content_block_delta',
        `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":${JSON.stringify(delta)}}}`,
      ),
    );
  }
  events.push(
    anthropicEvent('content_block_stop', '{"type":"content_block_stop","index":0}'),
    anthropicEvent(
      'content_block_start',
      `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use",` +
        `"id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"${TOOL_NAME}","input":{}}}`,
    ),
    anthropicEvent(
      'content_block_delta',
      '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}',
    ),
  );
  for (const piece of argumentPieces()) {
    events.push(
      anthropicEvent(
        'content_block_delta',
        `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":${JSON.stringify(piece)}}}`,
      ),
    );
  }
  events.push(
    anthropicEvent('content_block_stop', '{"type":"content_block_stop","index":1}'),
    anthropicEvent(
      'message_delta',
      '{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":351}}',
    ),
    anthropicEvent('message_stop', '{"type":"message_stop"}'),
  );
  return events.map((e) => encoder.encode(e));
}
