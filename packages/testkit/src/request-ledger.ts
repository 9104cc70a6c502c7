/** Where an accepted request stands: the checker of "nothing lost" reads these. */
export type RequestStatus = 'pending' | 'completed' | 'failed' | 'queued' | 'dead-lettered';

const RANK: Readonly<Record<RequestStatus, number>> = {
  pending: 0,
  failed: 1,
  queued: 2,
  'dead-lettered': 2,
  completed: 3,
};

export interface RequestRecord {
  readonly id: string;
  status: RequestStatus;
  /** How many times a client sent it (an at-least-once client may send it again). */
  sends: number;
  detail: string | undefined;
}

/**
 * The client's view of the requests it made, like a Jepsen history: what was accepted and what
 * came of it. A request that failed is lost unless the system says it is queued or in a
 * dead-letter queue (`markQueued`, `markDeadLettered`), which is what the system promises.
 */
export class RequestLedger {
  readonly #records = new Map<string, RequestRecord>();

  accept(id: string): RequestRecord {
    const existing = this.#records.get(id);
    if (existing !== undefined) {
      existing.sends++;
      return existing;
    }
    const record: RequestRecord = { id, status: 'pending', sends: 1, detail: undefined };
    this.#records.set(id, record);
    return record;
  }

  settle(id: string, status: Exclude<RequestStatus, 'pending'>, detail?: string): void {
    const record = this.#records.get(id) ?? this.accept(id);
    // A completion is final, and a failure never undoes what the system says it kept: a
    // duplicate send that failed later, or a caller told "dead-lettered" by an error.
    if (RANK[status] < RANK[record.status]) return;
    record.status = status;
    record.detail = detail;
  }

  markQueued(id: string): void {
    this.settle(id, 'queued');
  }

  markDeadLettered(id: string): void {
    this.settle(id, 'dead-lettered');
  }

  get(id: string): RequestRecord | undefined {
    return this.#records.get(id);
  }

  all(): readonly RequestRecord[] {
    return [...this.#records.values()];
  }
}
