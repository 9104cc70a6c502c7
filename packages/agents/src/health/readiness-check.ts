import type { Address, Node } from '@warden/core';
import { checkInt, checkName, invalidOption } from '../model/policy/option-checks.js';
import type { CheckOutcome } from './check-result.js';
import type { CheckContext, HealthCheck } from './health-check.js';

export const READINESS_DEFAULTS = Object.freeze({ everyMs: 5_000 });

/** Anything with a breaker's state: `CircuitBreaker`, `modelPolicyOf(node).breaker(p)`. */
export interface BreakerLike {
  readonly state: string;
}

/** Anything with a current level: `DegradationLadder`, a `ResilientModel`. */
export interface LadderLike {
  readonly level: string | undefined;
}

export interface ReadinessOptions {
  readonly name?: string;
  readonly agent?: string;
  /** Ready only while every one is `closed` (half-open is still recovering: not ready). */
  readonly breakers?: Readonly<Record<string, BreakerLike>>;
  /** Ready only while every ladder serves from its top level (`top`, e.g. `primary`). */
  readonly ladders?: Readonly<
    Record<string, { readonly ladder: LadderLike; readonly top: string }>
  >;
  /** Ready only while every queue holds at most `bound` items. */
  readonly queues?: Readonly<
    Record<string, { readonly depth: () => number; readonly bound: number }>
  >;
  /** Ready only while each process's mailbox holds at most `bound` messages (and it lives). */
  readonly mailboxes?: Readonly<
    Record<string, { readonly process: Address; readonly bound: number }>
  >;
  readonly everyMs?: number;
}

/**
 * L2: the dependencies an agent needs are up. A failing readiness says "send no new work here",
 * not "restart me": so it names which dependency is down, and L1 stays green meanwhile.
 */
export function readinessCheck(options: ReadinessOptions): HealthCheck {
  if (typeof options !== 'object' || options === null) {
    throw invalidOption('options', options, 'an object');
  }
  const everyMs = checkInt('everyMs', options.everyMs ?? READINESS_DEFAULTS.everyMs, 1);
  const breakers = Object.entries(options.breakers ?? {});
  const ladders = Object.entries(options.ladders ?? {});
  const queues = Object.entries(options.queues ?? {});
  const mailboxes = Object.entries(options.mailboxes ?? {});
  for (const [name, b] of breakers) {
    if (typeof b?.state !== 'string') throw invalidOption(`breakers.${name}`, b, 'a breaker');
  }
  for (const [name, l] of ladders) {
    if (typeof l?.ladder !== 'object' || l.ladder === null) {
      throw invalidOption(`ladders.${name}.ladder`, l?.ladder, 'a ladder (with a level)');
    }
    checkName(`ladders.${name}.top`, l.top);
  }
  for (const [name, q] of queues) {
    if (typeof q?.depth !== 'function')
      throw invalidOption(`queues.${name}.depth`, q, 'a function');
    checkInt(`queues.${name}.bound`, q.bound, 0);
  }
  for (const [name, m] of mailboxes) checkInt(`mailboxes.${name}.bound`, m?.bound, 0);
  const resolve = (node: Node, address: Address) =>
    typeof address === 'string' ? node.whereis(address) : address;
  return {
    name: checkName('name', options.name ?? (options.agent ? `ready:${options.agent}` : 'ready')),
    level: 'L2',
    ...(options.agent === undefined ? {} : { agent: options.agent }),
    everyMs,
    run({ node }: CheckContext): CheckOutcome {
      const down: Record<string, unknown> = {};
      for (const [name, b] of breakers) {
        if (b.state !== 'closed') down[`breaker:${name}`] = b.state;
      }
      for (const [name, { ladder, top }] of ladders) {
        if (ladder.level !== top) down[`ladder:${name}`] = ladder.level ?? 'none';
      }
      for (const [name, { depth, bound }] of queues) {
        const d = depth();
        if (!(d <= bound)) down[`queue:${name}`] = { depth: d, bound };
      }
      for (const [name, { process, bound }] of mailboxes) {
        const pid = resolve(node, process);
        const info = pid === undefined ? undefined : node.processInfo(pid);
        if (info === undefined) down[`mailbox:${name}`] = 'no process';
        else if (info.mailboxSize > bound) {
          down[`mailbox:${name}`] = { depth: info.mailboxSize, bound };
        }
      }
      const checked = breakers.length + ladders.length + queues.length + mailboxes.length;
      return Object.keys(down).length === 0
        ? { status: 'pass', detail: { checked } }
        : { status: 'fail', detail: { checked, down } };
    },
  };
}
