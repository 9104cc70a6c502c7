import type { ToolContext } from '@warden/agents';
import { seededRandom } from '@warden/agents/testing';

/** What the demo breaks, and when (virtual milliseconds). */
export interface ChaosPlan {
  /** Chance that a worker is killed in the middle of a tool call. */
  readonly crashRate: number;
  /** The primary model allows 4 requests per second and answers 429 beyond. */
  readonly rateLimitStorm: boolean;
  /** The primary model answers 502 in this window. */
  readonly outage: { readonly fromMs: number; readonly toMs: number } | undefined;
  /** The first customer lookup hangs until its timeout. */
  readonly hungTool: boolean;
  /** The planner asks for every ticket twice at once, as a double trigger would. */
  readonly duplicateSpawns: boolean;
  /** One ticket carries a log attachment far larger than a worker's context window. */
  readonly contextOverflow: boolean;
  /**
   * A code freeze is on for the whole run, and one worker tries an irreversible purge of a
   * production table anyway (the model "decides" to clean up): the runtime refuses it.
   */
  readonly freeze: boolean;
}

export const SCENARIOS: Readonly<Record<string, ChaosPlan>> = {
  calm: plan({}),
  crash: plan({ crashRate: 0.15 }),
  'rate-limit-storm': plan({ rateLimitStorm: true }),
  outage: plan({ outage: { fromMs: 10_000, toMs: 70_000 } }),
  'hung-tool': plan({ hungTool: true }),
  'duplicate-spawn': plan({ duplicateSpawns: true }),
  'context-overflow': plan({ contextOverflow: true }),
  freeze: plan({ freeze: true }),
  mixed: plan({
    crashRate: 0.1,
    rateLimitStorm: true,
    outage: { fromMs: 20_000, toMs: 60_000 },
    hungTool: true,
    duplicateSpawns: true,
    contextOverflow: true,
    freeze: true,
  }),
};

function plan(p: Partial<ChaosPlan>): ChaosPlan {
  return {
    crashRate: 0,
    rateLimitStorm: false,
    outage: undefined,
    hungTool: false,
    duplicateSpawns: false,
    contextOverflow: false,
    freeze: false,
    ...p,
  };
}

/** The ticket whose worker tries to purge a production table in the freeze scenario. */
export const PURGING_TICKET = 3;

/** The ticket that carries the oversized attachment in the overflow scenario. */
const OVERSIZED_TICKET = 5;
/** Its pages: together several times a worker's context window. */
const ATTACHMENT_PAGES = 12;

/**
 * Applies a chaos plan to the tools, deterministically from the seed: which call is killed, which
 * one hangs, which ticket is oversized. It counts what it did, for the summary.
 */
export class Chaos {
  readonly plan: ChaosPlan;
  crashes = 0;
  hangs = 0;
  /** Told of each crash it causes (the tool, the thread). */
  onCrash: ((tool: string, threadId: string) => void) | undefined;
  readonly #random: () => number;
  #hung = false;

  readonly seed: number;

  constructor(plan: ChaosPlan, seed: number) {
    this.plan = plan;
    this.seed = seed;
    this.#random = seededRandom(seed * 7919 + 1);
  }

  /** Kills the calling agent with the plan's probability: a crash in the middle of a step. */
  maybeCrash(ctx: ToolContext, tool: string): void {
    if (this.plan.crashRate === 0 || this.#random() >= this.plan.crashRate) return;
    this.crashes++;
    this.onCrash?.(tool, ctx.threadId);
    ctx.node.exit(ctx.agent, 'kill');
    throw new Error(`worker killed during ${tool}`);
  }

  /** Hangs the first call it sees (until the call is abandoned), when the plan says so. */
  async maybeHang(signal: AbortSignal): Promise<void> {
    if (!this.plan.hungTool || this.#hung) return;
    this.#hung = true;
    this.hangs++;
    await new Promise<void>((_resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('abandoned')), { once: true });
    });
  }

  /** Pages of log attached to a ticket: many for the oversized one, none for the rest. */
  attachmentPages(ticket: number): number {
    return this.plan.contextOverflow && ticket === OVERSIZED_TICKET ? ATTACHMENT_PAGES : 0;
  }

  /** One page (about 3,000 characters) of the oversized ticket's log. */
  attachmentPage(page: number): string {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      const n = page * 40 + i;
      lines.push(`09:${String(n % 60).padStart(2, '0')} GET /api/export?page=${n} 504 30001ms`);
    }
    return lines.join('\n');
  }
}

/** Parses `--faults crash=0.1,rate-limit-storm,outage@20s-60s,hung-tool,...` into a plan. */
export function parseFaults(spec: string): ChaosPlan {
  let p: Partial<{ -readonly [K in keyof ChaosPlan]: ChaosPlan[K] }> = {};
  for (const item of spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const crash = /^crash=(0(?:\.\d+)?|1(?:\.0+)?)$/.exec(item);
    const outage = /^outage@(\d+)s(?:-(\d+)s)?$/.exec(item);
    if (crash !== null) p = { ...p, crashRate: Number(crash[1]) };
    else if (outage !== null) {
      const from = Number(outage[1]) * 1000;
      p = {
        ...p,
        outage: {
          fromMs: from,
          toMs: outage[2] === undefined ? from + 60_000 : Number(outage[2]) * 1000,
        },
      };
    } else if (item === 'rate-limit-storm') p = { ...p, rateLimitStorm: true };
    else if (item === 'hung-tool') p = { ...p, hungTool: true };
    else if (item === 'duplicate-spawn') p = { ...p, duplicateSpawns: true };
    else if (item === 'context-overflow') p = { ...p, contextOverflow: true };
    else if (item === 'freeze') p = { ...p, freeze: true };
    else
      throw new Error(
        `unknown fault "${item}" (known: crash=P, rate-limit-storm, outage@Ns[-Ms], hung-tool, duplicate-spawn, context-overflow, freeze)`,
      );
  }
  return plan(p);
}
