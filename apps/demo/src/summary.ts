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
