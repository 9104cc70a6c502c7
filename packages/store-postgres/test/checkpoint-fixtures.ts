import { type Checkpoint, type Message, NOTHING_SPENT } from '@warden/agents';

export function userMessage(text: string): Message {
  return { role: 'user', content: [{ type: 'text', text }] };
}

/** A checkpoint of `threadId` at `version`, holding `messages`. */
export function checkpointOf(
  threadId: string,
  version: number,
  messages: readonly Message[],
  extra: Partial<Checkpoint> = {},
): Checkpoint {
  return {
    threadId,
    version,
    agent: 'planner',
    task: 'plan the launch',
    step: version,
    state: 'planning',
    messages,
    spent: { ...NOTHING_SPENT, steps: version },
    ...extra,
  };
}
