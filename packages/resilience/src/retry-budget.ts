import type { Clock } from '@warden/core';
import { Emitter, type Observed } from './events.js';
import { checkClock, checkInt, checkNumber } from './internal/check.js';

export interface RetryBudgetOptions extends Observed {
  readonly clock: Clock;
  /** Retries allowed per request in the window. Default 0.2 (retries add at most 20% load). */
  readonly ratio?: number;
  /** Retries always allowed per window, so that light traffic can still retry. Default 10. */
  readonly minRetries?: number;
  /** The sliding window, in ms on the clock. Default 10 000. */
  readonly windowMs?: number;
  /** Slots the window is cut into; more is smoother. Default 10. */
  readonly slots?: number;
}

export const RETRY_BUDGET_DEFAULTS = Object.freeze({
  ratio: 0.2,
  minRetries: 10,
  windowMs: 10_000,
  slots: 10,
});

interface Slot {
  epoch: number;
  deposits: number;
  withdrawals: number;
}

/**
 * A retry budget shared by many callers (Finagle's `RetryBudget`, gRPC's retry throttling):
 * every request deposits, every retry withdraws, and over a sliding window on the clock the
 * retries can never exceed `minRetries + ratio * requests`. When a dependency fails for
 * everyone, the retries of a hundred callers therefore add at most `ratio` to the load instead
 * of multiplying it by the attempt count.
 *
 * @example
 * const budget = new RetryBudget({ clock, ratio: 0.1, minRetries: 0 });
 * const policy = retry({ clock, budget, maxAttempts: 4 }); // share `budget` between policies
 */
export class RetryBudget {
  readonly ratio: number;
  readonly minRetries: number;
  readonly windowMs: number;
  readonly #clock: Clock;
  readonly #slotMs: number;
  readonly #slots: Slot[];
  readonly #emitter: Emitter;

  constructor(options: RetryBudgetOptions) {
    this.#clock = checkClock('clock', options?.clock);
    this.ratio = checkNumber('ratio', options.ratio ?? RETRY_BUDGET_DEFAULTS.ratio, 0);
    this.minRetries = checkInt(
      'minRetries',
      options.minRetries ?? RETRY_BUDGET_DEFAULTS.minRetries,
      0,
    );
    this.windowMs = checkNumber(
      'windowMs',
      options.windowMs ?? RETRY_BUDGET_DEFAULTS.windowMs,
      0,
      true,
    );
    const slots = checkInt('slots', options.slots ?? RETRY_BUDGET_DEFAULTS.slots, 1);
    this.#slotMs = this.windowMs / slots;
    this.#slots = Array.from({ length: slots }, () => ({ epoch: -1, deposits: 0, withdrawals: 0 }));
    this.#emitter = new Emitter(options, this.#clock, 'retry-budget');
  }

  /** The clock its window runs on. */
  get clock(): Clock {
    return this.#clock;
  }

  /**
   * Records one request (a first attempt). `now`: the budget clock's reading, when the caller
   * has just made it (one read, several uses); a reading older than one the budget has already
   * counted at is replaced by the clock's.
   */
  deposit(now?: number): void {
    this.#current(now).deposits++;
  }

  /** Takes one retry from the budget; false (and a `retry.budget_denied` event) when empty. */
  tryWithdraw(): boolean {
    const { deposits, withdrawals } = this.#totals();
    // Invariant: withdrawals in the window never exceed minRetries + ratio * deposits.
    if (withdrawals + 1 > this.minRetries + this.ratio * deposits + 1e-9) {
      this.#emitter.emit({ type: 'retry.budget_denied', deposits, withdrawals });
      return false;
    }
    this.#current().withdrawals++;
    return true;
  }

  /** Retries still allowed in the current window. */
  get balance(): number {
    const { deposits, withdrawals } = this.#totals();
    return Math.max(0, Math.floor(this.minRetries + this.ratio * deposits - withdrawals + 1e-9));
  }

  #epoch(now = this.#clock.now()): number {
    return Math.floor(now / this.#slotMs);
  }

  #current(now?: number): Slot {
    let epoch = this.#epoch(now);
    let slot = this.#slots[epoch % this.#slots.length] as Slot;
    if (slot.epoch > epoch) {
      // a reading older than one the budget has counted at: the clock's own, not a stale slot
      epoch = this.#epoch();
      slot = this.#slots[epoch % this.#slots.length] as Slot;
    }
    if (slot.epoch !== epoch) {
      slot.epoch = epoch;
      slot.deposits = 0;
      slot.withdrawals = 0;
    }
    return slot;
  }

  #totals(): { deposits: number; withdrawals: number } {
    const oldest = this.#epoch() - this.#slots.length;
    let deposits = 0;
    let withdrawals = 0;
    for (const slot of this.#slots) {
      if (slot.epoch > oldest) {
        deposits += slot.deposits;
        withdrawals += slot.withdrawals;
      }
    }
    return { deposits, withdrawals };
  }
}
