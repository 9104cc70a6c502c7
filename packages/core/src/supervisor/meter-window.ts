/**
 * The sliding window of one metered quantity (tokens, dollars: whatever children report): the
 * charges of the last `period` ms and their sum. The restart-intensity window counts events; this
 * one sums amounts, with the same inclusive edge (a charge exactly `period` ms old still counts).
 */
export interface MeterWindow {
  /** Charge times, ascending; the live ones start at `head`. */
  times: number[];
  amounts: number[];
  head: number;
  /** The sum of the live amounts is `sum + carry` (compensated: see `chargeMeter`). */
  sum: number;
  carry: number;
}

/** What a charge left in the window, and whether the sum is now past the limit. */
export interface MeterVerdict {
  readonly spent: number;
  readonly exceeded: boolean;
}

/** Expired entries kept before the arrays are compacted (and the sum recomputed). */
const COMPACT_AFTER = 64;

export function newMeterWindow(): MeterWindow {
  return { times: [], amounts: [], head: 0, sum: 0, carry: 0 };
}

/**
 * Adds `amount` at `now` and drops what left the window (`t < now - period`); the verdict is
 * exceeded when the sum is then greater than `limit` (a limit of 1000 allows 1000, never 1001).
 *
 * A function of its arguments alone (the caller passes the time; no clock, no I/O), tested apart
 * from the supervisor. Unlike `addRestart` it updates the window it is given, so that a charge
 * costs O(1) amortised however many charges the window holds: expired entries are skipped by
 * moving `head`, and the arrays are compacted once the skipped part is the larger half. The
 * running sum is compensated (Neumaier): a large charge that absorbed the low digits of small
 * ones gives them back when it leaves the window, where a plain running total would forget them
 * (1e17 then ten charges of 1: after the large one leaves, the window holds 10, not 0).
 *
 * `now` never decreases between calls (the node's clock is monotonic); `amount` is finite and
 * >= 0 (the context checks what a process reports).
 */
export function chargeMeter(
  window: MeterWindow,
  now: number,
  amount: number,
  limit: number,
  period: number,
): MeterVerdict {
  const { times, amounts } = window;
  const oldest = now - period;
  let head = window.head;
  while (head < times.length && (times[head] as number) < oldest) {
    add(window, -(amounts[head] as number));
    head++;
  }
  if (head === times.length) {
    // Everything left: start again from an exact zero.
    times.length = 0;
    amounts.length = 0;
    head = 0;
    window.sum = 0;
    window.carry = 0;
  } else if (head >= COMPACT_AFTER && head * 2 >= times.length) {
    times.splice(0, head);
    amounts.splice(0, head);
    head = 0;
  }
  window.head = head;
  const last = times.length - 1;
  if (last >= head && times[last] === now) {
    // Charges at one instant share an entry: a burst costs no memory.
    amounts[last] = (amounts[last] as number) + amount;
  } else {
    times.push(now);
    amounts.push(amount);
  }
  add(window, amount);
  const spent = window.sum + window.carry;
  return { spent, exceeded: spent > limit };
}

/** Neumaier's compensated addition: what rounding drops from `sum` is kept in `carry`. */
function add(window: MeterWindow, x: number): void {
  const { sum } = window;
  const total = sum + x;
  window.carry += Math.abs(sum) >= Math.abs(x) ? sum - total + x : x - total + sum;
  window.sum = total;
}
