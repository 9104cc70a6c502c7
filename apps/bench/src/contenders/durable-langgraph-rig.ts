import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import type { BaseCheckpointSaver, Checkpoint, CheckpointMetadata } from '@langchain/langgraph';
import { PostgresSaver } from '@langchain/langgraph-checkpoint-postgres';
import { SqliteSaver } from '@langchain/langgraph-checkpoint-sqlite';
import { BenchCheckError } from '../check.js';
import type { Turn } from '../workloads/durability-conversation.js';
import { dropSchema, type SqliteConnection } from './database-drivers.js';
import type { DurableRig, StoredThread } from './durable-rig.js';

/** SQLite's `synchronous` levels, as `PRAGMA synchronous` reports them. */
const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

/**
 * LangGraph's SQLite saver on a file, opened as its docs open it (`SqliteSaver.fromConnString`).
 * Its `setup` turns on WAL and leaves `synchronous` alone, so the connection runs at
 * better-sqlite3's default for WAL, NORMAL (it is built with `SQLITE_DEFAULT_WAL_SYNCHRONOUS=1`):
 * a commit does not wait for the disk. `synchronous: 'FULL'` sets what warden's store runs at,
 * to compare at the same durability. When it closes, the rig checks that the connection ran at
 * the level expected, so the parameters reported cannot be wrong.
 */
export async function langgraphSqliteRig(
  path: string,
  synchronous: 'default' | 'FULL' = 'default',
): Promise<DurableRig> {
  const saver = SqliteSaver.fromConnString(path);
  const db = saver.db as SqliteConnection;
  if (synchronous === 'FULL') db.pragma('synchronous = FULL');
  return langgraphRig(saver, async () => {
    const level = SYNCHRONOUS[Number(db.pragma('synchronous', { simple: true }))];
    const journal = String(db.pragma('journal_mode', { simple: true }));
    db.close();
    const expected = synchronous === 'FULL' ? 'FULL' : 'NORMAL';
    if (journal !== 'wal' || level !== expected) {
      throw new BenchCheckError(
        `LangGraph's SQLite saver ran with journal_mode=${journal}, synchronous=${level}; expected wal, ${expected}`,
      );
    }
  });
}

/** LangGraph's PostgreSQL saver in a schema of its own (`setup` run first), dropped after. */
export async function langgraphPostgresRig(url: string, schema: string): Promise<DurableRig> {
  const saver = PostgresSaver.fromConnString(url, { schema });
  await saver.setup();
  return langgraphRig(saver, async () => {
    await saver.end();
    await dropSchema(url, schema);
  });
}

interface GraphThread {
  readonly messages: readonly BaseMessage[];
  config: RunnableConfig;
  step: number;
}

/**
 * Puts checkpoints as a compiled `StateGraph` over `MessagesAnnotation` (an agent node and a
 * tool node) puts them after each super-step, in the shape recorded from such a graph: the
 * messages channel holding every message so far, the branch channel the step wrote, the channel
 * versions bumped, `versions_seen`, metadata `{ source: 'loop', step, parents }`, and as new
 * versions the channels the step changed (the PostgreSQL saver writes a blob for each of them:
 * the whole message list for `messages`). The `putWrites` a graph also makes for each task's
 * writes is left out, so LangGraph is charged for one write per step, as warden is.
 */
export function langgraphRig(saver: BaseCheckpointSaver, close: () => Promise<void>): DurableRig {
  const threads = new Map<string, GraphThread>();
  const thread = (threadId: string): GraphThread => {
    const found = threads.get(threadId);
    if (found === undefined) throw new Error(`thread ${threadId} was not begun`);
    return found;
  };
  return {
    begin(threadId, turns) {
      threads.set(threadId, {
        messages: turns.map(graphMessage),
        config: { configurable: { thread_id: threadId, checkpoint_ns: '' } },
        step: 0,
      });
    },
    next(threadId) {
      const t = thread(threadId);
      const step = t.step + 1;
      const toTools = t.messages[step - 1]?.getType() === 'ai';
      const branch = toTools ? 'branch:to:tools' : 'branch:to:agent';
      const version = step + 1;
      const checkpoint: Checkpoint = {
        v: 4,
        id: checkpointId(),
        ts: new Date().toISOString(),
        channel_values: {
          messages: t.messages.slice(0, step),
          __pregel_tasks: [],
          [branch]: toTools ? 'agent' : null,
        },
        channel_versions: {
          __start__: 2,
          messages: version,
          'branch:to:agent': toTools ? version - 1 : version,
          'branch:to:tools': toTools ? version : version - 1,
        },
        versions_seen: {
          __input__: {},
          __start__: { __start__: 1 },
          agent: { 'branch:to:agent': toTools ? version - 1 : version - 2 },
          tools: { 'branch:to:tools': toTools ? version - 2 : version - 1 },
        },
      };
      const metadata: CheckpointMetadata = { source: 'loop', step, parents: {} };
      const newVersions = { messages: version, [branch]: version };
      return async () => {
        t.config = await saver.put(t.config, checkpoint, metadata, newVersions);
        t.step = step;
      };
    },
    async latest(threadId): Promise<StoredThread | undefined> {
      const tuple = await saver.getTuple({ configurable: { thread_id: threadId } });
      if (tuple === undefined) return undefined;
      const messages = tuple.checkpoint.channel_values.messages as BaseMessage[] | undefined;
      return { step: Number(tuple.metadata?.step), turns: (messages ?? []).map(turnOf) };
    },
    async checkpoints(threadId) {
      let count = 0;
      for await (const _ of saver.list({
        configurable: { thread_id: threadId, checkpoint_ns: '' },
      }))
        count++;
      return count;
    },
    close,
  };
}

let sequence = 0;

/**
 * A checkpoint id of the length of LangGraph's (a UUID v6) that sorts in the order the ids were
 * made, as the savers need: each reads a thread's head as its greatest id.
 */
function checkpointId(): string {
  const hex = (++sequence).toString(16).padStart(18, '0');
  return `1f000000-0000-6${hex.slice(0, 3)}-8${hex.slice(3, 6)}-${hex.slice(6)}`;
}

export function graphMessage(turn: Turn): BaseMessage {
  switch (turn.kind) {
    case 'task':
      return new HumanMessage(turn.text);
    case 'call':
      return new AIMessage({
        content: turn.text,
        tool_calls: [{ id: turn.callId, name: turn.name, args: turn.input, type: 'tool_call' }],
      });
    case 'result':
      // A ToolNode passes a tool's object output on as its JSON text.
      return new ToolMessage({
        content: JSON.stringify(turn.output),
        tool_call_id: turn.callId,
        name: turn.name,
      });
  }
}

/** The turn a message read back holds; `BenchCheckError` if it is no message the bench wrote. */
function turnOf(message: BaseMessage): Turn {
  const type = message.getType();
  if (type === 'human' && typeof message.content === 'string') {
    return { kind: 'task', text: message.content };
  }
  const call = (message as AIMessage).tool_calls?.[0];
  if (type === 'ai' && typeof message.content === 'string' && call?.id !== undefined) {
    return {
      kind: 'call',
      text: message.content,
      callId: call.id,
      name: call.name,
      input: call.args,
    };
  }
  const tool = message as ToolMessage;
  if (type === 'tool' && typeof tool.content === 'string' && tool.name !== undefined) {
    return {
      kind: 'result',
      callId: tool.tool_call_id,
      name: tool.name,
      output: JSON.parse(tool.content) as Record<string, unknown>,
    };
  }
  throw new BenchCheckError(`LangGraph read back a message of an unknown shape: ${type}`);
}
