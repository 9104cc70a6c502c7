import type { Message, Part } from '../model/message.js';
import { type MemoryStore, memoryText } from '../store/memory-store.js';
import type { ContextLedger } from './context-ledger.js';

/** The ways to shrink a context, applied in the order configured until it fits. */
export type CompactionStrategy = 'clear-tool-results' | 'offload' | 'summarise';

export interface CompactionOptions {
  /** Compact when the context passes this share of the model's window; default 0.75. */
  readonly threshold: number;
  readonly strategies: readonly CompactionStrategy[];
  /** The most recent messages every strategy leaves untouched; default 6. */
  readonly keepRecent: number;
}

export const COMPACTION_DEFAULTS: CompactionOptions = Object.freeze({
  threshold: 0.75,
  strategies: Object.freeze(['clear-tool-results', 'offload', 'summarise'] as const),
  keepRecent: 6,
});

export interface CompactionEnv {
  readonly ledger: ContextLedger;
  /** Compaction stops as soon as the context is at or under this many tokens. */
  readonly target: number;
  readonly keepRecent: number;
  readonly threadId: string;
  readonly step: number;
  readonly memory: MemoryStore;
  /** A model call that summarises messages (under the same failure handling as any call). */
  readonly summarise: (messages: readonly Message[]) => Promise<string>;
}

export interface CompactionReport {
  readonly before: number;
  readonly after: number;
  readonly applied: readonly CompactionStrategy[];
}

/**
 * Shrinks the context in place, strategy by strategy, until it is at or under `target`. The
 * first message, the task as the user gave it, is the anchor: no strategy ever changes it, so an
 * agent compacted a hundred times still knows exactly what it was asked. Nor does one separate a
 * tool call from its result (providers refuse a result without its call).
 */
export async function compact(
  env: CompactionEnv,
  strategies: readonly CompactionStrategy[],
): Promise<CompactionReport> {
  const before = env.ledger.tokens;
  const applied: CompactionStrategy[] = [];
  for (const strategy of strategies) {
    if (env.ledger.tokens <= env.target) break;
    const changed = await STRATEGIES[strategy](env);
    if (changed) applied.push(strategy);
  }
  return { before, after: env.ledger.tokens, applied };
}

const STRATEGIES: Record<CompactionStrategy, (env: CompactionEnv) => Promise<boolean>> = {
  'clear-tool-results': async ({ ledger, keepRecent }) => {
    let changed = false;
    const end = ledger.length - keepRecent;
    for (let i = 1; i < end; i++) {
      const message = ledger.messages[i] as Message;
      if (message.role !== 'tool' || message.content.every(isCleared)) continue;
      ledger.replace(i, { role: 'tool', content: message.content.map(clearResult) });
      changed = true;
    }
    return changed;
  },

  offload: async ({ ledger, keepRecent, threadId, step, memory }) => {
    const end = boundary(ledger, keepRecent);
    if (end <= 1) return false;
    const moved = ledger.messages.slice(1, end);
    await memory.put(moved.map((m) => ({ threadId, step, text: memoryText(m) })));
    ledger.splice(1, end, [
      note(
        `[${moved.length} earlier messages were moved to memory at step ${step}; ` +
          'call the recall tool with a query to read them.]',
      ),
    ]);
    return true;
  },

  summarise: async ({ ledger, keepRecent, summarise, step }) => {
    const end = boundary(ledger, keepRecent);
    if (end <= 1) return false;
    const summary = await summarise(ledger.messages.slice(1, end));
    ledger.splice(1, end, [note(`[Summary of the work so far, at step ${step}]\n${summary}`)]);
    return true;
  },
};

/**
 * Where the untouched tail starts: `keepRecent` messages from the end, moved back past tool
 * results so the tail never starts with a result whose call was compacted away.
 */
function boundary(ledger: ContextLedger, keepRecent: number): number {
  let end = ledger.length - keepRecent;
  while (end > 1 && ledger.messages[end]?.role === 'tool') end--;
  return end;
}

function note(text: string): Message {
  return { role: 'user', content: [{ type: 'text', text }] };
}

function isCleared(part: Part): boolean {
  return part.type !== 'tool-result' || isClearedOutput(part.output);
}

function isClearedOutput(output: unknown): boolean {
  return (
    typeof output === 'object' &&
    output !== null &&
    (output as { cleared?: unknown }).cleared === true
  );
}

/** Keeps that the call happened and how it went; drops the bulk. */
function clearResult(part: Part): Part {
  if (part.type !== 'tool-result' || isClearedOutput(part.output)) return part;
  const text = typeof part.output === 'string' ? part.output : (JSON.stringify(part.output) ?? '');
  return {
    ...part,
    output: {
      cleared: true,
      outcome: part.isError === true ? 'error' : 'ok',
      chars: text.length,
      preview: text.slice(0, 80),
    },
  };
}
