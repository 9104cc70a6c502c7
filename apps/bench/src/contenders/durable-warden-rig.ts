import type { AgentStore, BudgetSpent, Checkpoint, Message, Part } from '@warden/agents';
import { openPostgresStore } from '@warden/store-postgres';
import { openSqliteStore, type SyncMode } from '@warden/store-sqlite';
import { BenchCheckError } from '../check.js';
import type { Turn } from '../workloads/durability-conversation.js';
import { dropSchema } from './database-drivers.js';
import type { DurableRig, StoredThread } from './durable-rig.js';

/**
 * warden's SQLite store on a file, as `openSqliteStore` opens it (WAL; by default a step's commit
 * is synced by the next write something outside acts on, `sync: 'writes'` syncs every commit).
 */
export async function wardenSqliteRig(path: string, sync?: SyncMode): Promise<DurableRig> {
  const store = await openSqliteStore({ path, ...(sync === undefined ? {} : { sync }) });
  return wardenRig(store, () => store.close());
}

/** warden's PostgreSQL store in a schema of its own, dropped when the rig closes. */
export async function wardenPostgresRig(url: string, schema: string): Promise<DurableRig> {
  const store = await openPostgresStore({ connectionString: url, schema });
  return wardenRig(store, async () => {
    await store.close();
    await dropSchema(url, schema);
  });
}

interface WardenThread {
  readonly task: string;
  readonly messages: readonly Message[];
  head: number;
}

/**
 * Commits as the agent's step loop does: the whole checkpoint (task, step, lifecycle state,
 * budgets spent, every message), with the head it last saw as `expectedHead` and the messages
 * of that head as `unchangedBefore`, so the store writes the one message added.
 */
export function wardenRig(store: AgentStore, close: () => Promise<void>): DurableRig {
  const threads = new Map<string, WardenThread>();
  const thread = (threadId: string): WardenThread => {
    const found = threads.get(threadId);
    if (found === undefined) throw new Error(`thread ${threadId} was not begun`);
    return found;
  };
  return {
    begin(threadId, turns) {
      const task = turns[0]?.kind === 'task' ? turns[0].text : '';
      threads.set(threadId, { task, messages: turns.map(wardenMessage), head: 0 });
    },
    next(threadId) {
      const t = thread(threadId);
      const step = t.head + 1;
      const last = t.messages[step - 1];
      const checkpoint: Checkpoint = {
        threadId,
        version: step,
        agent: 'bench',
        task: t.task,
        step,
        state: last?.role === 'assistant' ? 'acting' : 'planning',
        messages: t.messages.slice(0, step),
        spent: spentAt(step),
      };
      const options = { expectedHead: t.head, unchangedBefore: t.head };
      return async () => {
        await store.checkpoints.commit(checkpoint, options);
        t.head = step;
      };
    },
    async latest(threadId): Promise<StoredThread | undefined> {
      const head = await store.checkpoints.latest(threadId);
      if (head === undefined) return undefined;
      return { step: head.step, turns: head.messages.map(turnOf) };
    },
    async checkpoints(threadId) {
      return (await store.usage(threadId)).checkpoints;
    },
    close,
  };
}

/** What a run of `step` steps has spent, plausible figures that change every step. */
function spentAt(step: number): BudgetSpent {
  return {
    steps: step,
    inputTokens: 900 * step,
    outputTokens: 60 * step,
    costUsd: step / 1000,
    wallMs: 800 * step,
    toolCalls: step >> 1,
    subagents: 0,
    unpriced: [],
  };
}

export function wardenMessage(turn: Turn): Message {
  switch (turn.kind) {
    case 'task':
      return { role: 'user', content: [{ type: 'text', text: turn.text }] };
    case 'call':
      return {
        role: 'assistant',
        content: [
          { type: 'text', text: turn.text },
          { type: 'tool-call', callId: turn.callId, name: turn.name, input: turn.input },
        ],
      };
    case 'result':
      return {
        role: 'tool',
        content: [
          { type: 'tool-result', callId: turn.callId, name: turn.name, output: turn.output },
        ],
      };
  }
}

/** The turn a stored message holds; `BenchCheckError` if it is no message this bench writes. */
function turnOf(message: Message): Turn {
  const [first, second] = message.content as readonly (Part | undefined)[];
  if (message.role === 'user' && first?.type === 'text') return { kind: 'task', text: first.text };
  if (message.role === 'assistant' && first?.type === 'text' && second?.type === 'tool-call') {
    return {
      kind: 'call',
      text: first.text,
      callId: second.callId,
      name: second.name,
      input: second.input as Record<string, unknown>,
    };
  }
  if (message.role === 'tool' && first?.type === 'tool-result') {
    return {
      kind: 'result',
      callId: first.callId,
      name: first.name,
      output: first.output as Record<string, unknown>,
    };
  }
  throw new BenchCheckError(`warden read back a message of an unknown shape: ${message.role}`);
}
