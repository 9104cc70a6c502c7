/**
 * The conversation the durability cases store, one message per step, the same turns for warden
 * and LangGraph (each contender maps a turn to its own message type): a task, then an agent's
 * tool loop, a model turn that says what it does and calls `search_orders`, then the tool's
 * result, and so on. Text is drawn from a fixed vocabulary by a seeded generator, so every run
 * stores the same bytes and no two threads store the same text.
 *
 * Sizes, in warden's JSON of the messages: the task about 630 B, a call about 400 B, a result
 * about 620 B; the first 40 messages are 20 KB (the case parameters give the exact range).
 */
import { seededRandom } from '@warden/agents/testing';

export type Turn = TaskTurn | CallTurn | ResultTurn;

export interface TaskTurn {
  readonly kind: 'task';
  readonly text: string;
}

export interface CallTurn {
  readonly kind: 'call';
  readonly text: string;
  readonly callId: string;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface ResultTurn {
  readonly kind: 'result';
  readonly callId: string;
  readonly name: string;
  readonly output: Readonly<Record<string, unknown>>;
}

export const TOOL_NAME = 'search_orders';

const WORDS = (
  'order invoice refund customer shipment carrier parcel address billing account plan ' +
  'upgrade discount voucher delayed returned damaged warehouse ticket priority escalate ' +
  'confirm review policy credit balance payment card expired renewal contract region ' +
  'status pending settled disputed partial missing replacement courier tracking weekly'
).split(' ');

const STATUSES = ['pending', 'shipped', 'delivered', 'returned', 'refunded'];

/** The first `length` turns of the conversation of `seed` (turn 0 is the task). */
export function conversation(seed: number, length: number): Turn[] {
  const random = seededRandom(seed * 7919 + 17);
  const words = (n: number) =>
    Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
  const turns: Turn[] = [];
  for (let i = 0; i < length; i++) {
    const customer = 1000 + Math.floor(random() * 9000);
    const callId = `call_${seed}_${(i + 1) >> 1}`;
    if (i === 0) {
      turns.push({ kind: 'task', text: `Customer ${customer} writes: ${words(70)}` });
    } else if (i % 2 === 1) {
      turns.push({
        kind: 'call',
        text: `Checking the orders of customer ${customer}: ${words(13)}`,
        callId,
        name: TOOL_NAME,
        input: { customerId: customer, query: words(8), fields: ['status', 'total'], limit: 3 },
      });
    } else {
      turns.push({
        kind: 'result',
        callId,
        name: TOOL_NAME,
        output: {
          customerId: customer,
          orders: Array.from({ length: 3 }, (_, n) => ({
            id: `ord-${seed}-${i}-${n}`,
            status: STATUSES[Math.floor(random() * STATUSES.length)],
            total: Math.round(random() * 100_000) / 100,
            items: words(8),
          })),
          note: words(12),
        },
      });
    }
  }
  return turns;
}
