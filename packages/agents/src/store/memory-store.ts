import type { Message } from '../model/message.js';

/** A stretch of conversation compacted out of the context, still readable through `recall`. */
export interface MemoryEntry {
  readonly threadId: string;
  /** The step at which it was offloaded. */
  readonly step: number;
  readonly text: string;
}

/** Where compaction offloads what leaves the context; the built-in `recall` tool reads it. */
export interface MemoryStore {
  put(entries: readonly MemoryEntry[]): Promise<void>;
  /** Entries of the thread that mention the query's words, best first, at most `limit`. */
  search(threadId: string, query: string, limit: number): Promise<readonly MemoryEntry[]>;
}

export class MemoryMemoryStore implements MemoryStore {
  readonly #byThread = new Map<string, MemoryEntry[]>();

  async put(entries: readonly MemoryEntry[]): Promise<void> {
    for (const entry of entries) {
      let list = this.#byThread.get(entry.threadId);
      if (list === undefined) this.#byThread.set(entry.threadId, (list = []));
      list.push(entry);
    }
  }

  async search(threadId: string, query: string, limit: number): Promise<readonly MemoryEntry[]> {
    const phrase = query.toLowerCase().trim();
    const words = phrase.split(/\W+/).filter((w) => w.length > 0);
    const scored: [number, MemoryEntry][] = [];
    for (const entry of this.#byThread.get(threadId) ?? []) {
      const text = entry.text.toLowerCase();
      // The whole query outranks any number of its words.
      let score = phrase !== '' && text.includes(phrase) ? words.length + 1 : 0;
      for (const word of words) if (text.includes(word)) score++;
      if (score > 0 || words.length === 0) scored.push([score, entry]);
    }
    scored.sort((a, b) => b[0] - a[0] || a[1].step - b[1].step);
    return scored.slice(0, limit).map(([, entry]) => entry);
  }
}

/** The text a message leaves behind in memory. */
export function memoryText(message: Message): string {
  return message.content
    .map((part) => {
      if (part.type === 'text') return `${message.role}: ${part.text}`;
      if (part.type === 'tool-call')
        return `${message.role} called ${part.name}(${JSON.stringify(part.input)})`;
      return `${part.name} returned ${JSON.stringify(part.output)}`;
    })
    .join('\n');
}
