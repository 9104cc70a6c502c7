/**
 * The world of the provider-outage replay, on a TestClock. Ten agents each ask a question every
 * 30 s for 15 minutes through one resilient model: primary `acme`, fallback `backup`. A third
 * of the questions were asked before (an FAQ of five), a third are new, and a third need a
 * tool (`toolChoice: 'required'`: no static text can answer them).
 *
 * From 60 s to 660 s the primary fails (ten virtual minutes): a 502 outage in one scenario, an
 * expired API key (401 until the key is rotated) in the other. At 240 s the fallback's quota runs
 * out too. warden serves from the fallback, then from the cache and the static answer, queues the
 * tool calls, and replays the queue once the primary's half-open probe succeeds.
 */

import {
  createModelPolicy,
  createResilientModel,
  type ModelRequest,
  type ModelResponse,
  STATIC_MODEL,
} from '@warden/agents';
import {
  createScriptedModel,
  credentialsExpireAt,
  type FaultRule,
  faults,
  outage,
  seededRandom,
} from '@warden/agents/testing';
import { createNode } from '@warden/core';
import { TestClock } from '@warden/core/testing';

export const OUTAGE = {
  agents: 10,
  everyMs: 30_000,
  untilMs: 900_000,
  downFromMs: 60_000,
  downToMs: 660_000,
  fallbackQuotaFromMs: 240_000,
} as const;

export type OutageScenario = 'outage' | 'credentials';

export const SCENARIOS: Record<OutageScenario, string> = {
  outage: 'primary answers 502 for 10 min',
  credentials: 'primary API key expired for 10 min',
};

export interface OutageReport {
  readonly scenario: OutageScenario;
  readonly accepted: number;
  readonly answered: number;
  readonly failed: number;
  /** Answered without waiting in the queue, by the rung that answered. */
  readonly primary: number;
  readonly fallback: number;
  readonly cache: number;
  readonly static: number;
  readonly queued: number;
  readonly replayed: number;
  /** When the last queued call got its answer (virtual ms). */
  readonly lastReplayMs: number;
  /** Model calls that answered a request already answered (must be 0). */
  readonly answeredTwice: number;
  readonly levels: readonly string[];
  readonly finalLevel: string | undefined;
}

const MAX_STEPS = 100_000;

function requestFor(agent: number, turn: number): ModelRequest {
  const n = agent * 1000 + turn;
  const kind = n % 3;
  const text = kind === 0 ? `faq ${n % 5}` : kind === 1 ? `question ${n}` : `task ${n}`;
  return {
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    ...(kind === 2
      ? {
          tools: [{ name: 'lookup', inputSchema: { type: 'object' } }],
          toolChoice: 'required' as const,
        }
      : {}),
  };
}

const textOf = (r: ModelRequest) => {
  const p = r.messages[0]?.content[0];
  return p?.type === 'text' ? p.text : '';
};

export async function runOutage(scenario: OutageScenario): Promise<OutageReport> {
  const clock = new TestClock();
  const node = createNode({ name: 'outage', clock });
  const events: { type: string; [k: string]: unknown }[] = [];
  node.inspect((e) => {
    if (e.type === 'published') events.push(e.event as (typeof events)[number]);
  });
  const down: FaultRule =
    scenario === 'outage'
      ? outage(OUTAGE.downFromMs, OUTAGE.downToMs)
      : credentialsExpireAt(OUTAGE.downFromMs, OUTAGE.downToMs);
  const script = (r: ModelRequest) =>
    r.toolChoice === 'required'
      ? { toolCalls: [{ name: 'lookup', input: { q: textOf(r) } }] }
      : { text: `answer to ${textOf(r)}` };
  const primary = createScriptedModel({
    clock: node.clock,
    provider: 'acme',
    latencyMs: 300,
    script,
    faults: [down],
  });
  const fallback = createScriptedModel({
    clock: node.clock,
    provider: 'backup',
    latencyMs: 500,
    script,
    faults: [{ fromMs: OUTAGE.fallbackQuotaFromMs, effect: faults.quotaExhausted() }],
  });
  const policy = createModelPolicy({ clock: node.clock, node, random: seededRandom(7) });
  const model = createResilientModel({
    policy,
    primary,
    fallbacks: [fallback],
    staticAnswer: 'The assistant is degraded right now; please try again in a few minutes.',
  });
  const results: { settled: boolean; response?: ModelResponse; error?: unknown }[] = [];
  for (let agent = 0; agent < OUTAGE.agents; agent++) {
    for (let t = agent * 1000, turn = 0; t < OUTAGE.untilMs; t += OUTAGE.everyMs, turn++) {
      const request = requestFor(agent, turn);
      clock.setTimer(t, () => {
        const result: (typeof results)[number] = { settled: false };
        results.push(result);
        model.generate(request).then(
          (response) => Object.assign(result, { settled: true, response }),
          (error: unknown) => Object.assign(result, { settled: true, error }),
        );
      });
    }
  }
  const accepted = OUTAGE.agents * Math.ceil(OUTAGE.untilMs / OUTAGE.everyMs);
  const allSettled = () => results.length === accepted && results.every((r) => r.settled);
  let lastReplayMs = 0;
  model.onLevelChange(() => {});
  await clock.settle();
  for (let step = 0; step < MAX_STEPS && !allSettled(); step++) {
    if (!(await clock.advanceToNext())) break;
    if (events.at(-1)?.type === 'model.replayed') lastReplayMs = clock.now();
  }
  for (const e of events)
    if (e.type === 'model.replayed') lastReplayMs = Math.max(lastReplayMs, e.time as number);
  const degraded = (level: string) =>
    events.filter((e) => e.type === 'model.degraded' && e.level === level).length;
  const queued = events.filter((e) => e.type === 'model.queued').length;
  const replayed = events.filter((e) => e.type === 'model.replayed').length;
  // each request text is unique per call (except the FAQ): count model answers per request
  const answers = new Map<string, number>();
  for (const c of [...primary.calls, ...fallback.calls]) {
    if (c.outcome !== 'answered' || c.request.toolChoice !== 'required') continue;
    answers.set(textOf(c.request), (answers.get(textOf(c.request)) ?? 0) + 1);
  }
  const answeredTwice = [...answers.values()].filter((n) => n > 1).length;
  const report: OutageReport = {
    scenario,
    accepted,
    answered: results.filter((r) => r.response !== undefined).length,
    failed: results.filter((r) => r.error !== undefined).length,
    primary: 0,
    fallback: degraded('fallback-1'),
    cache: degraded('cache'),
    static: results.filter((r) => r.response?.model === STATIC_MODEL).length,
    queued,
    replayed,
    lastReplayMs,
    answeredTwice,
    levels: events.filter((e) => e.type === 'degrade.level_changed').map((e) => String(e.to)),
    finalLevel: model.level,
  };
  await node.stop();
  return {
    ...report,
    primary: report.answered - report.fallback - report.cache - report.static - report.replayed,
  };
}

/** The outage replay as the Markdown table of docs/agents/models.md. */
export function outageTable(reports: readonly OutageReport[]): string {
  const lines = [
    '| scenario | accepted | primary | fallback | cache | static | queued, then replayed | lost | last replay |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of reports) {
    lines.push(
      `| ${SCENARIOS[r.scenario]} | ${r.accepted} | ${r.primary} | ${r.fallback} | ${r.cache} | ${r.static} | ${r.replayed} | ${r.accepted - r.answered} | ${(r.lastReplayMs / 1000).toFixed(0)} s |`,
    );
  }
  return lines.join('\n');
}
