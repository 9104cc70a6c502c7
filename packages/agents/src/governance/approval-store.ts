import type { Approval } from './approval.js';

/**
 * Where issued approvals and their used nonces live. Nonces stay used across restarts of the
 * agent and of the approver: a durable store keeps them with the journal. `consume` is
 * compare-and-set (one conditional UPDATE in SQL).
 */
export interface ApprovalStore {
  issue(approval: Approval): Promise<void>;
  get(nonce: string): Promise<Approval | undefined>;
  /** Marks the nonce used; true for the one caller that did it, false if it was used already. */
  consume(nonce: string): Promise<boolean>;
  /** Unused approvals granted ahead (`requestId: 'standing'`) for the binding key given. */
  standing(bindingKey: string): Promise<readonly Approval[]>;
}

/** The key `standing` looks approvals up by. */
export function bindingKey(a: {
  readonly agent: string;
  readonly tool: string;
  readonly argsHash: string;
  readonly resource: string;
}): string {
  return `${a.agent}\u0000${a.tool}\u0000${a.argsHash}\u0000${a.resource}`;
}

export class MemoryApprovalStore implements ApprovalStore {
  readonly #issued = new Map<string, Approval>();
  readonly #used = new Set<string>();
  readonly #standing = new Map<string, string[]>();

  async issue(approval: Approval): Promise<void> {
    if (this.#issued.has(approval.nonce)) throw new RangeError('nonce issued twice');
    const frozen = Object.freeze({ ...approval });
    this.#issued.set(approval.nonce, frozen);
    if (approval.requestId === 'standing') {
      const key = bindingKey(approval);
      this.#standing.set(key, [...(this.#standing.get(key) ?? []), approval.nonce]);
    }
  }

  async get(nonce: string): Promise<Approval | undefined> {
    return this.#issued.get(nonce);
  }

  async consume(nonce: string): Promise<boolean> {
    if (!this.#issued.has(nonce) || this.#used.has(nonce)) return false;
    this.#used.add(nonce);
    return true;
  }

  async standing(key: string): Promise<readonly Approval[]> {
    return (this.#standing.get(key) ?? [])
      .filter((n) => !this.#used.has(n))
      .map((n) => this.#issued.get(n) as Approval);
  }
}
