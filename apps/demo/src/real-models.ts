import {
  createAnthropicClient,
  createOpenAIClient,
  createResilientModel,
  type ModelClient,
} from '@warden/agents';
import type { Node } from '@warden/core';
import type { Models } from './agents.js';

/**
 * Real models from the environment: `WARDEN_MODEL_URL` (an OpenAI-compatible base URL, or an
 * Anthropic one when it contains `anthropic`), `WARDEN_MODEL_KEY`, `WARDEN_MODEL`. The same
 * agents run on them; only the model changes. Undefined when no URL is set.
 */
export function realModels(env: NodeJS.ProcessEnv): ((node: Node) => Models) | undefined {
  const baseUrl = env.WARDEN_MODEL_URL;
  if (baseUrl === undefined || baseUrl === '') return undefined;
  const apiKey = env.WARDEN_MODEL_KEY ?? '';
  return (node) => {
    const anthropic = baseUrl.includes('anthropic');
    const model = env.WARDEN_MODEL ?? (anthropic ? 'claude-sonnet-4-5' : 'gpt-4o-mini');
    const client: ModelClient = anthropic
      ? createAnthropicClient({ baseUrl, apiKey, model, clock: node.clock })
      : createOpenAIClient({ baseUrl, apiKey, model, clock: node.clock });
    const resilient = createResilientModel({ node, primary: client, cache: false, queue: false });
    return { planner: resilient, worker: resilient };
  };
}
