/** One side effect as a tool performed it on the outside world. */
export interface EffectRecord {
  /** What makes two effects the same effect: an idempotency key, a business key (`refund:42`). */
  readonly key: string;
  readonly tool: string;
  /** An effect that cannot be taken back (a payment, an email): it needs an approval first. */
  readonly irreversible: boolean;
  /** Whether its key had been approved when it happened (approval after the fact does not count). */
  readonly approved: boolean;
  readonly at: number;
}

/**
 * The effects the simulated world received, and the approvals granted, as the checkers read them.
 * Tools write here through `recordEffect(ctx, ...)` (or `sim.effects.record`) at the moment the
 * effect happens, the way an external service would log what it was asked to do.
 */
export class EffectRecorder {
  readonly effects: EffectRecord[] = [];
  readonly #approved = new Set<string>();
  readonly #now: () => number;
  readonly #onRecord: ((effect: EffectRecord) => void) | undefined;

  constructor(now: () => number, onRecord?: (effect: EffectRecord) => void) {
    this.#now = now;
    this.#onRecord = onRecord;
  }

  record(effect: { key: string; tool: string; irreversible?: boolean }): EffectRecord {
    const record: EffectRecord = {
      key: effect.key,
      tool: effect.tool,
      irreversible: effect.irreversible ?? false,
      approved: this.#approved.has(effect.key),
      at: this.#now(),
    };
    this.effects.push(record);
    this.#onRecord?.(record);
    return record;
  }

  /** A human (or policy) approved the effect with this key. */
  approve(key: string): void {
    this.#approved.add(key);
  }

  isApproved(key: string): boolean {
    return this.#approved.has(key);
  }
}
