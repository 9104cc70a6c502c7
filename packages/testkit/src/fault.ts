import type { FaultEffect, FaultRule } from '@warden/agents/testing';
import { faults as modelFaults } from '@warden/agents/testing';

/** How an injected crash ends its process: `kill` is untrappable, `error` a crash, `shutdown` a stop. */
export type CrashReason = 'kill' | 'error' | 'shutdown';

/** Whom a timed crash hits: a registered name, a behaviour label given to `sim.actor`, or any live process. */
export type CrashTarget =
  | { readonly name: string }
  | { readonly label: string }
  /** Index into the live processes of every node in spawn order, modulo their count. */
  | { readonly pick: number };

/** What the scripted model does wrong on a run of consecutive calls. */
export type ModelFaultKind =
  | 'rate-limited'
  | 'server-error'
  | 'overloaded'
  | 'timeout'
  | 'garbage'
  | 'context-overflow';

/**
 * One line of a fault schedule. Plain data: it prints, shrinks and replays. Times are virtual
 * milliseconds from the start of the run; `nth` counts from 1 over every instance of a label
 * (a restarted process goes on counting), so "the 3rd message" means the same one in every replay.
 */
export type Fault =
  | {
      readonly kind: 'crash';
      readonly at: number;
      readonly target: CrashTarget;
      readonly reason: CrashReason;
    }
  | {
      readonly kind: 'crash-on-message';
      readonly label: string;
      readonly nth: number;
      readonly reason: CrashReason;
    }
  | { readonly kind: 'hang'; readonly label: string; readonly nth: number }
  | { readonly kind: 'slow'; readonly label: string; readonly nth: number; readonly ms: number }
  | {
      readonly kind: 'partition';
      readonly at: number;
      readonly a: readonly string[];
      readonly b: readonly string[];
      readonly healAfterMs: number;
    }
  | {
      readonly kind: 'link-delay';
      readonly at: number;
      readonly from: string;
      readonly to: string;
      readonly ms: number;
      readonly forMs: number;
    }
  | {
      readonly kind: 'model';
      readonly model: string;
      /** Index (from 0) of the first call hit, and how many consecutive calls are hit. */
      readonly call: number;
      readonly count: number;
      readonly fault: ModelFaultKind;
      /** For `rate-limited` and `overloaded`: the `Retry-After` the provider sends. */
      readonly retryAfterMs?: number;
    }
  | {
      readonly kind: 'tool';
      readonly tool: string;
      readonly nth: number;
      readonly failure: 'error' | 'hang' | 'slow';
      readonly ms?: number;
    }
  | { readonly kind: 'clock-jump'; readonly at: number; readonly ms: number }
  /** An at-least-once client sends the `nth` request it made again (a lost acknowledgement). */
  | { readonly kind: 'redeliver'; readonly nth: number };

export type FaultKind = Fault['kind'];

/** When a fault happens on the clock, for faults that happen at a time. */
export function faultTime(fault: Fault): number | undefined {
  return 'at' in fault ? fault.at : undefined;
}

const ordinal = (n: number): string => {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${n % 10 > 3 ? 'th' : s}`;
};

function targetText(target: CrashTarget): string {
  if ('name' in target) return `process "${target.name}"`;
  if ('label' in target) return `an instance of "${target.label}"`;
  return `live process #${target.pick}`;
}

/** The fault in one line, as the timeline prints it. */
export function describeFault(fault: Fault): string {
  switch (fault.kind) {
    case 'crash':
      return `crash ${targetText(fault.target)} (${fault.reason})`;
    case 'crash-on-message':
      return `crash "${fault.label}" on its ${ordinal(fault.nth)} message (${fault.reason})`;
    case 'hang':
      return `hang "${fault.label}" on its ${ordinal(fault.nth)} message`;
    case 'slow':
      return `slow "${fault.label}" by ${fault.ms} ms on its ${ordinal(fault.nth)} message`;
    case 'partition':
      return `partition [${fault.a.join(', ')}] | [${fault.b.join(', ')}] for ${fault.healAfterMs} ms`;
    case 'link-delay':
      return `delay ${fault.from} -> ${fault.to} by ${fault.ms} ms for ${fault.forMs} ms`;
    case 'model': {
      const after =
        fault.retryAfterMs === undefined ? '' : ` (Retry-After ${fault.retryAfterMs} ms)`;
      return `model "${fault.model}": ${fault.fault}${after} on calls ${fault.call}..${fault.call + fault.count - 1}`;
    }
    case 'tool':
      return `tool "${fault.tool}" ${fault.failure === 'slow' ? `slow by ${fault.ms ?? 0} ms` : fault.failure === 'hang' ? 'hangs' : 'fails'} on its ${ordinal(fault.nth)} call`;
    case 'clock-jump':
      return `clock jumps ${fault.ms} ms (the process was paused)`;
    case 'redeliver':
      return `client sends its ${ordinal(fault.nth)} request again`;
  }
}

function effectOf(fault: Extract<Fault, { kind: 'model' }>): FaultEffect {
  switch (fault.fault) {
    case 'rate-limited':
      return modelFaults.rateLimited(fault.retryAfterMs);
    case 'server-error':
      return modelFaults.serverError(500);
    case 'overloaded':
      return modelFaults.overloaded(fault.retryAfterMs);
    case 'timeout':
      // the provider never answers: the call's own deadline turns it into `timeout`
      return modelFaults.hang();
    case 'garbage':
      return modelFaults.garbage();
    case 'context-overflow':
      return {
        type: 'error',
        kind: 'context_length',
        status: 400,
        providerCode: 'context_length_exceeded',
        message: 'This model maximum context length is exceeded',
      };
  }
}

/** The scripted model's fault rules for one model label. */
export function modelRules(schedule: readonly Fault[], model: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const f of schedule) {
    if (f.kind !== 'model' || f.model !== model) continue;
    rules.push({ calls: { from: f.call, to: f.call + f.count }, effect: effectOf(f) });
  }
  return rules;
}
