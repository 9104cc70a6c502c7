import { UnsupportedFunctionalityError } from '@ai-sdk/provider';
import { describe, expect, it } from 'vitest';
import { toAiSdk } from '../src/index.js';
import { scriptedClient, textResponse } from './scripted-client.js';

const user = (text: string) => ({
  role: 'user' as const,
  content: [{ type: 'text' as const, text }],
});

describe('V3 call options read by toAiSdk', () => {
  it('joins the system messages in order into one system prompt', async () => {
    const client = scriptedClient([textResponse('ok')]);
    await toAiSdk(client).doGenerate({
      prompt: [
        { role: 'system', content: 'First.' },
        user('hi'),
        { role: 'system', content: 'Second.' },
      ],
    });
    expect(client.requests[0]?.system).toBe('First.\n\nSecond.');
    expect(client.requests[0]?.messages).toEqual([user('hi')]);
  });

  it('drops the settings warden has no field for, each with an unsupported warning', async () => {
    const client = scriptedClient([textResponse('ok')]);
    const { warnings } = await toAiSdk(client).doGenerate({
      prompt: [user('hi')],
      topP: 0.9,
      topK: 40,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      seed: 7,
      responseFormat: { type: 'json' },
      tools: [
        { type: 'provider', id: 'openai.web_search', name: 'web_search', args: {} },
        { type: 'function', name: 'f', inputSchema: { type: 'object' } },
      ],
    });
    expect(warnings.map((w) => (w.type === 'other' ? w.message : w.feature))).toEqual([
      'topP',
      'topK',
      'presencePenalty',
      'frequencyPenalty',
      'seed',
      'responseFormat',
      'provider tool openai.web_search',
    ]);
    expect(client.requests[0]?.tools).toEqual([{ name: 'f', inputSchema: { type: 'object' } }]);
  });

  it('turns a denied execution into an error result with its reason', async () => {
    const client = scriptedClient([textResponse('ok')]);
    await toAiSdk(client).doGenerate({
      prompt: [
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'c1',
              toolName: 'drop_table',
              output: { type: 'execution-denied', reason: 'not approved' },
            },
            {
              type: 'tool-result',
              toolCallId: 'c2',
              toolName: 'read',
              output: {
                type: 'content',
                value: [
                  { type: 'text', text: 'a' },
                  { type: 'text', text: 'b' },
                ],
              },
            },
          ],
        },
      ],
    });
    expect(client.requests[0]?.messages[0]?.content).toEqual([
      {
        type: 'tool-result',
        callId: 'c1',
        name: 'drop_table',
        output: 'not approved',
        isError: true,
      },
      { type: 'tool-result', callId: 'c2', name: 'read', output: 'ab' },
    ]);
  });

  it('leaves reasoning from earlier turns out, with a compatibility warning', async () => {
    const client = scriptedClient([textResponse('ok')]);
    const { warnings } = await toAiSdk(client).doGenerate({
      prompt: [
        user('hi'),
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'thinking' },
            { type: 'text', text: 'hello' },
          ],
        },
      ],
    });
    expect(client.requests[0]?.messages[1]).toEqual({
      role: 'assistant',
      content: [{ type: 'text', text: 'hello' }],
    });
    expect(warnings).toEqual([
      expect.objectContaining({ type: 'compatibility', feature: 'reasoning' }),
    ]);
  });

  it('refuses a file part rather than dropping it, without calling the client', async () => {
    const client = scriptedClient([textResponse('ok')]);
    const call = toAiSdk(client).doGenerate({
      prompt: [
        {
          role: 'user',
          content: [{ type: 'file', data: 'aGVsbG8=', mediaType: 'application/pdf' }],
        },
      ],
    });
    await expect(call).rejects.toSatisfy((e) => UnsupportedFunctionalityError.isInstance(e));
    expect(client.requests).toHaveLength(0);
  });

  it('hands a tool call whose arguments were not JSON to the AI SDK as the raw text', async () => {
    const client = scriptedClient([
      {
        respond: {
          content: [
            {
              type: 'tool-call',
              callId: 'c1',
              name: 'search',
              input: '{"q": otp',
              inputError: 'the arguments are not valid JSON',
            },
          ],
          finishReason: 'tool-calls',
          usage: { inputTokens: 1, outputTokens: 1 },
          model: 'scripted-1',
        },
      },
    ]);
    const { content } = await toAiSdk(client).doGenerate({ prompt: [user('hi')] });
    expect(content).toEqual([
      { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: '{"q": otp' },
    ]);
  });
});
