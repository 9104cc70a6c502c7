import type { DemoReport } from './run-demo.js';

export interface Invariant {
  readonly name: string;
  readonly holds: boolean;
  readonly detail: string;
}

/**
 * What must be true after any run, whatever was injected: every ticket resolved exactly once
 * (nothing lost, nothing done twice), no effect applied twice, the planner finished.
 */
export function invariants(report: DemoReport): Invariant[] {
  const { world, delegation } = report;
  const resolutions = world.resolutions();
  const unresolved = world.tickets
    .filter((t) => (resolutions.get(t.id)?.length ?? 0) === 0)
    .map((t) => t.id);
  const twice = [...resolutions].filter(([, r]) => r.length > 1).map(([id]) => id);
  const keys = new Set(world.effects.map((e) => e.key));
  const writesDone = report.journal.filter((e) => e.state === 'done' && e.effect !== 'read');
  const perTicketTool = new Set(writesDone.map((e) => `${e.threadId} ${e.tool}`));
  const largeRefunds = writesDone.filter((e) => e.scopes.includes('refunds:large'));
  const unapproved = largeRefunds.filter((e) => e.decidedBy !== 'person:ann');
  return [
    {
      name: 'nothing lost: every ticket resolved',
      holds: unresolved.length === 0 && delegation.failed.length === 0,
      detail:
        unresolved.length === 0
          ? `${world.tickets.length} of ${world.tickets.length}`
          : `unresolved: ${unresolved.join(', ')}`,
    },
    {
      name: 'no ticket resolved twice',
      holds: twice.length === 0,
      detail: twice.length === 0 ? 'one outcome each' : `twice: ${twice.join(', ')}`,
    },
    {
      name: 'no effect applied twice',
      holds: keys.size === world.effects.length,
      detail: `${world.effects.length} effects, ${world.deduplicated} repeats refused by idempotency key`,
    },
    {
      name: 'no write completed twice (the durable journal)',
      holds: perTicketTool.size === writesDone.length,
      detail: `${writesDone.length} writes done, ${perTicketTool.size} distinct per ticket and tool`,
    },
    {
      name: 'every large refund ran on a person’s approval',
      holds: unapproved.length === 0,
      detail:
        unapproved.length === 0
          ? `${largeRefunds.length} approved by person:ann`
          : `without: ${unapproved.map((e) => e.threadId).join(', ')}`,
    },
    {
      name: 'no irreversible call ran',
      holds: world.purged.length === 0,
      detail:
        world.purged.length === 0
          ? `${report.journal.filter((e) => e.effect === 'irreversible').length} asked for, all refused`
          : `purged: ${world.purged.join(', ')}`,
    },
    {
      name: 'the planner finished its task',
      holds: report.plannerAnswer !== undefined,
      detail: report.plannerAnswer ?? report.plannerError ?? 'no answer',
    },
  ];
}

/** The rows of the closing table: what happened, in numbers. */
export function summaryRows(report: DemoReport): [string, string][] {
  const c = (type: string) => report.counts[type] ?? 0;
  const byResolution = new Map<string, number>();
  for (const [, r] of report.world.resolutions())
    for (const x of r) byResolution.set(x, (byResolution.get(x) ?? 0) + 1);
  return [
    [
      'tickets',
      `${report.world.tickets.length}: ${byResolution.get('replied') ?? 0} replied, ${byResolution.get('escalated') ?? 0} refunds escalated, ${byResolution.get('closed-duplicate') ?? 0} duplicates closed`,
    ],
    ['worker runs', `${c('agent.task_started') - 1} started, ${c('agent.finished') - 1} finished`],
    [
      'workers killed',
      `${report.chaos.crashes} (each ticket reassigned and resumed from its checkpoint: ${report.delegation.reassigned})`,
    ],
    [
      'duplicate spawn requests',
      `${report.delegation.duplicateRequests} (joined the running worker; never started twice)`,
    ],
    ['model steps', `${c('agent.step')}`],
    [
      '429s and 5xx absorbed',
      `${c('retry.scheduled')} retries, ${c('model.paused')} provider pauses`,
    ],
    ['breaker trips', `${c('breaker.trip')}`],
    [
      'ladder moves',
      `${c('degrade.level_changed')} (${c('model.degraded')} answers from the fallback)`,
    ],
    ['compactions', `${c('agent.compacted')}`],
    [
      'approvals',
      `${report.operator.asked} asked, ${report.operator.approved} granted, ${report.operator.denied} denied`,
    ],
    [
      'freeze',
      `${report.journal.filter((e) => e.decidedBy?.startsWith('freeze:') === true).length} irreversible calls refused`,
    ],
    ['journal', journalCounts(report)],
    [
      'checkpoints',
      `${report.storage.checkpoints} kept, ${report.storage.bytes.toLocaleString('en-US')} bytes (${Math.round(report.storage.bytes / Math.max(1, report.storage.steps))} per step)`,
    ],
    ['tool timeouts', `${report.chaos.hangs}`],
    ['dead letters', `${c('deadletter')}`],
    [
      'tokens',
      `${report.tokens.input.toLocaleString('en-US')} in, ${report.tokens.output.toLocaleString('en-US')} out`,
    ],
    ['cost', `$${report.costUsd.toFixed(4)}`],
    ['virtual time', `${(report.virtualMs / 1000).toFixed(1)} s`],
  ];
}

/** Tool calls completed, per tool, from the durable journal: what a resume replays, never reruns. */
function journalCounts(report: DemoReport): string {
  const done = new Map<string, number>();
  for (const e of report.journal)
    if (e.state === 'done') done.set(e.tool, (done.get(e.tool) ?? 0) + 1);
  return [...done].map(([tool, n]) => `${tool} ${n}`).join(', ');
}
