import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createResilientModel } from '@warden/agents';
import { createScriptedModel } from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { generateText } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { fromAiSdk, toAiSdk } from '../src/index.js';
import { generateResult } from './v3-fixtures.js';

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const SELF = readFileSync(import.meta.filename, 'utf8');

/** `// #region name` ... `// #endregion` blocks of this file, de-indented. */
function region(name: string): string {
  const m = new RegExp(
    `^([ \\t]*)// #region ${name}\\n([\\s\\S]*?)^[ \\t]*// #endregion`,
    'm',
  ).exec(SELF);
  if (m === null) throw new Error(`no region ${name}`);
  const indent = (m[1] as string).length;
  return (m[2] as string)
    .split('\n')
    .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
    .join('\n')
    .trim();
}

function readmeBlock(name: string): string {
  const m = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(README);
  if (m === null) throw new Error(`no README example ${name}`);
  return (m[1] as string).trim();
}

describe('README examples', () => {
  it('from-ai-sdk: an AI SDK model behind the failure policy', async () => {
    const model = new MockLanguageModelV3({
      provider: 'openai.chat',
      modelId: 'gpt-4o-mini',
      doGenerate: generateResult([{ type: 'text', text: 'Hello!' }]),
    });
    // #region from-ai-sdk
    const node = createNode({ name: 'app' });
    // `model` is any AI SDK LanguageModelV3: openai('gpt-4o-mini'), anthropic(...), ollama(...)
    const primary = fromAiSdk(model, { clock: node.clock, timeoutMs: 120_000 });
    const resilient = createResilientModel({ node, primary });
    const answer = await resilient.generate({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
    });
    console.log(answer.content); // [{ type: 'text', text: 'Hello!' }]
    // #endregion
    expect(answer.content).toEqual([{ type: 'text', text: 'Hello!' }]);
    resilient.close();
    await node.stop();
    expect(readmeBlock('from-ai-sdk')).toBe(region('from-ai-sdk'));
  });

  it('to-ai-sdk: a warden model under generateText', async () => {
    // #region to-ai-sdk
    const node = createNode({ name: 'app' });
    const primary = createScriptedModel({ clock: node.clock, script: { text: 'Hello!' } });
    const resilient = createResilientModel({ node, primary });
    // The policy has already retried what deserved it: the AI SDK must not retry again.
    const { text } = await generateText({
      model: toAiSdk(resilient),
      prompt: 'Say hello',
      maxRetries: 0,
    });
    console.log(text); // Hello!
    // #endregion
    expect(text).toBe('Hello!');
    resilient.close();
    await node.stop();
    expect(readmeBlock('to-ai-sdk')).toBe(region('to-ai-sdk'));
  });
});
