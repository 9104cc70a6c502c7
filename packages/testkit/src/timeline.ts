/**
 * What happened in one run, in order: the faults the schedule injected and the system's
 * reactions (crashes, restarts, escalations, nodes lost and found, effects, requests). Entries
 * keep their text lazily where building it costs, so a passing run pays almost nothing for them.
 */
export interface TimelineEntry {
  readonly at: number;
  readonly source: 'fault' | 'system' | 'check';
  readonly text: string;
}

export class Timeline {
  readonly #entries: {
    at: number;
    source: TimelineEntry['source'];
    text: string | (() => string);
  }[] = [];
  readonly #limit: number;
  #dropped = 0;

  constructor(limit = 2_000) {
    this.#limit = limit;
  }

  add(at: number, source: TimelineEntry['source'], text: string | (() => string)): void {
    if (this.#entries.length >= this.#limit) {
      this.#dropped++;
      return;
    }
    this.#entries.push({ at, source, text });
  }

  get entries(): readonly TimelineEntry[] {
    return this.#entries.map((e) => ({
      at: e.at,
      source: e.source,
      text: typeof e.text === 'string' ? e.text : e.text(),
    }));
  }

  /** One line per entry: `   12.000s  fault   crash "worker" ...`. */
  format(): string {
    const lines = this.entries.map(
      (e) => `${(e.at / 1000).toFixed(3).padStart(10)}s  ${e.source.padEnd(6)}  ${e.text}`,
    );
    if (this.#dropped > 0) lines.push(`(${this.#dropped} more entries not kept)`);
    return lines.join('\n');
  }
}
