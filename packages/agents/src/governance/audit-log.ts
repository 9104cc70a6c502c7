import { hash } from 'node:crypto';

/**
 * What an audit entry records. `requested` is written when a decision waits for a person; a
 * decision taken at once (`allowed`, `denied`) carries the request in itself. `executed` is
 * written before `run` of a `write` or `irreversible` call starts, `result` when it ends.
 */
export type AuditKind = 'requested' | 'allowed' | 'denied' | 'executed' | 'result';

export interface AuditRecord {
  readonly kind: AuditKind;
  readonly agent: string;
  readonly threadId: string;
  readonly tool: string;
  /** The call's idempotency key: ties the entry to its journal entry. */
  readonly key: string;
  readonly argsHash: string;
  /** Who decided: `capability`, `freeze`, `rule:<id>`, `person:<name>`, `timeout`. */
  readonly by?: string | undefined;
  /** Why (for a denial), or the outcome (`ok`, an error code) of a `result`. */
  readonly detail?: string | undefined;
}

export interface AuditEntry extends AuditRecord {
  /** 0, 1, 2, ... with no gap. */
  readonly seq: number;
  /** Node-clock time of the append. */
  readonly at: number;
  /** The hash of the entry before (64 zeros for the first). */
  readonly prev: string;
  /** SHA-256 of `prev` and the canonical form of everything else in the entry. */
  readonly hash: string;
}

/**
 * An append-only log of every governance decision, each entry chained to the one before by a
 * hash, so that a changed, removed, reordered or inserted entry breaks `verifyAuditChain`. A
 * durable log implements the same interface (append in one transaction with its head).
 */
export interface AuditLog {
  append(record: AuditRecord, at: number): Promise<AuditEntry>;
  entries(): Promise<readonly AuditEntry[]>;
}

export const GENESIS = '0'.repeat(64);

/**
 * The in-memory log; its entries are frozen. An entry is chained (its `prev` and `hash` set, the
 * same as when it was appended, since they depend only on the entries before it) when the log
 * is first read after it was written: `entries()`, or `append`, which answers the chained entry.
 * Until then it sits in a private array no caller can reach, so chaining it later detects the same
 * tampering as chaining it at once, while a log nobody reads (the one an agent gets when it is
 * given none) never pays for its hashes. A log read often pays as before; a log read for the
 * first time after a long run pays for all its hashes then (about 3 µs an entry).
 */
export class MemoryAuditLog implements AuditLog {
  readonly #entries: AuditEntry[] = [];
  /** How many entries are chained: the first `#chained`, frozen. */
  #chained = 0;

  async append(record: AuditRecord, at: number): Promise<AuditEntry> {
    return this.appendNow(record, at);
  }

  /** `append` without the promise, for callers inside one turn. */
  appendNow(record: AuditRecord, at: number): AuditEntry {
    this.recordNow(record, at);
    this.#chain();
    return this.#entries[this.#entries.length - 1] as AuditEntry;
  }

  /**
   * Appends without answering the entry, which is chained when the log is next read: what the
   * gate writes through when its log is this class.
   */
  recordNow(record: AuditRecord, at: number): void {
    this.recordFields(
      record.kind,
      record.agent,
      record.threadId,
      record.tool,
      record.key,
      record.argsHash,
      record.by,
      record.detail,
      at,
    );
  }

  /** `recordNow` of a record given field by field (the gate's, which has no record to build). */
  recordFields(
    kind: AuditKind,
    agent: string,
    threadId: string,
    tool: string,
    key: string,
    argsHash: string,
    by: string | undefined,
    detail: string | undefined,
    at: number,
  ): void {
    // Every field present (by and detail undefined when not given): one shape for every entry.
    this.#entries.push({
      kind,
      agent,
      threadId,
      tool,
      key,
      argsHash,
      by,
      detail,
      seq: this.#entries.length,
      at,
      prev: '',
      hash: '',
    });
  }

  async entries(): Promise<readonly AuditEntry[]> {
    this.#chain();
    return [...this.#entries];
  }

  /** Chains and freezes the entries written since the last read, in order. */
  #chain(): void {
    const entries = this.#entries;
    let index = this.#chained;
    if (index === entries.length) return;
    let prev = index === 0 ? GENESIS : (entries[index - 1] as AuditEntry).hash;
    for (; index < entries.length; index++) {
      const entry = entries[index] as { prev: string; hash: string } & AuditEntry;
      entry.prev = prev;
      entry.hash = entryHash(entry);
      prev = entry.hash;
      Object.freeze(entry);
    }
    this.#chained = index;
  }
}

export type AuditVerdict =
  | { readonly ok: true; readonly entries: number }
  | { readonly ok: false; readonly index: number; readonly reason: string };

/**
 * Checks a chain from its first entry: every hash recomputed, every `prev` the hash before, every
 * `seq` its position. Reports the first entry that breaks it. Entries cut off the end leave a
 * valid shorter chain: pass the head hash kept elsewhere (`expectedHead`) to catch that too.
 */
export function verifyAuditChain(
  entries: readonly AuditEntry[],
  options: { readonly expectedHead?: string } = {},
): AuditVerdict {
  let prev = GENESIS;
  for (let index = 0; index < entries.length; index++) {
    const entry = entries[index] as AuditEntry;
    if (entry.seq !== index) return broken(index, `seq ${entry.seq} at position ${index}`);
    if (entry.prev !== prev) return broken(index, 'prev is not the hash of the entry before');
    if (Object.keys(entry).some((k) => !FIELDS.has(k))) {
      return broken(index, 'entry has a field no audit entry has');
    }
    if (entry.hash !== entryHash(entry)) return broken(index, 'hash does not match the entry');
    prev = entry.hash;
  }
  if (options.expectedHead !== undefined && options.expectedHead !== prev) {
    return broken(entries.length, 'the chain does not end at the expected head');
  }
  return { ok: true, entries: entries.length };
}

function broken(index: number, reason: string): AuditVerdict {
  return { ok: false, index, reason };
}

const FIELDS: ReadonlySet<string> = new Set([
  'kind',
  'agent',
  'threadId',
  'tool',
  'key',
  'argsHash',
  'by',
  'detail',
  'seq',
  'at',
  'prev',
  'hash',
]);

/**
 * The hash of everything in an entry but its own hash, over one fixed text: every field in a
 * fixed order, each written as its length and its text (an absent optional field as `-`), so no
 * two different entries share a text and no field can spill into the next. An entry with any
 * other field is refused by `verifyAuditChain` before it is hashed. Durable logs chain their
 * entries with it too, so one verifier holds for every store.
 */
export function entryHash(e: AuditEntry): string {
  const text =
    field(e.prev) +
    field(String(e.seq)) +
    field(String(e.at)) +
    field(e.kind) +
    field(e.agent) +
    field(e.threadId) +
    field(e.tool) +
    field(e.key) +
    field(e.argsHash) +
    field(e.by) +
    field(e.detail);
  return hash('sha256', text, 'hex');
}

function field(value: string | undefined): string {
  if (value === undefined) return '-;';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `${text.length}:${text};`;
}
