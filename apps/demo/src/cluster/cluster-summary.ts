import type { Invariant } from '../summary.js';
import type { ClusterReport } from './run-cluster.js';

/**
 * What must hold after the cluster run: everything the single-node demo checks, and what the
 * kill is about: the killed node's workers were restarted elsewhere and resumed from their
 * checkpoints, and no tool call that had completed ran again (the services' own log of calls,
 * compared with the effect journal in the shared store).
 */
export function clusterInvariants(report: ClusterReport): Invariant[] {
  const { planner, store, kill, restarts } = report;
  const tickets = report.tickets;
  const effects = planner?.effects ?? [];
  const calls = planner?.calls ?? [];
  const perTicket = new Map<number, number>();
  for (const e of effects) perTicket.set(e.ticket, (perTicket.get(e.ticket) ?? 0) + 1);
  const unresolved = tickets.filter((t) => (perTicket.get(t) ?? 0) === 0);
  const twice = [...perTicket].filter(([, n]) => n > 1).map(([t]) => t);
  const keys = new Set(effects.map((e) => e.key));
  // How often each call reached the services: once, or twice when the journal says the first
  // run was cut off by the crash (it may have happened; the service's key makes it harmless).
  const reached = new Map<string, number>();
  for (const c of calls) reached.set(c.key, (reached.get(c.key) ?? 0) + 1);
  const entries = new Map((store?.entries ?? []).map((e) => [e.key, e]));
  const ranAgain = [...reached].filter(([key, n]) => n > (entries.get(key)?.interrupted ? 2 : 1));
  const notDone = (store?.entries ?? []).filter((e) => e.state !== 'done');
  const servicesPerTool = new Map<string, Set<string>>();
  for (const c of calls) {
    const set = servicesPerTool.get(c.tool) ?? new Set();
    set.add(c.key);
    servicesPerTool.set(c.tool, set);
  }
  const journal = store?.journal ?? {};
  const tools = new Set([...Object.keys(journal), ...servicesPerTool.keys()]);
  const disagree = [...tools].filter(
    (t) => (journal[t] ?? 0) !== (servicesPerTool.get(t)?.size ?? 0),
  );
  const lost = restarts.filter((r) => r.from === kill?.node);
  const notMoved = lost.filter(
    (r) =>
      r.to === undefined || r.to === kill?.node || !(r.resumedAt !== undefined && r.resumedAt >= 1),
  );
  return [
    {
      name: 'nothing lost: every ticket resolved',
      holds: tickets.length > 0 && unresolved.length === 0 && (planner?.failed.length ?? 1) === 0,
      detail:
        unresolved.length === 0
          ? `${tickets.length} of ${tickets.length}`
          : `unresolved: ${unresolved.join(', ')}`,
    },
    {
      name: 'no ticket resolved twice',
      holds: twice.length === 0,
      detail: twice.length === 0 ? 'one outcome each' : `twice: ${twice.join(', ')}`,
    },
    {
      name: 'no effect applied twice',
      holds: effects.length > 0 && keys.size === effects.length,
      detail: `${effects.length} effects, ${report.repeats} repeats refused by idempotency key`,
    },
    {
      name: 'a node running two or more workers was SIGKILLed',
      holds: kill !== undefined && lost.length >= 2,
      detail:
        kill === undefined
          ? 'no node was killed'
          : `${kill.node}: ${lost.length} workers lost (tickets ${lost.map((r) => r.ticket).join(', ')})`,
    },
    {
      name: 'its workers restarted on a surviving node and resumed from their checkpoints',
      holds: lost.length >= 2 && notMoved.length === 0,
      detail:
        lost
          .map(
            (r) =>
              `ticket ${r.ticket}: ${r.from} -> ${r.to ?? '?'}, resumed after step ${r.resumedAt ?? '?'}`,
          )
          .join('; ') || 'none',
    },
    {
      name: 'no completed tool call ran again',
      holds:
        store !== undefined && calls.length > 0 && ranAgain.length === 0 && notDone.length === 0,
      detail:
        ranAgain.length === 0 && notDone.length === 0
          ? `${calls.length} calls reached the services; ${
              [...entries.values()].filter((e) => e.interrupted).length
            } cut off by the kill ran again under the same key`
          : `ran again: ${ranAgain.length}, journal entries not done: ${notDone.length}`,
    },
    {
      name: 'the journal in the shared store accounts for every call the services saw',
      holds: store !== undefined && tools.size > 0 && disagree.length === 0,
      detail:
        disagree.length === 0
          ? Object.entries(journal)
              .map(([t, n]) => `${t} ${n}`)
              .join(', ')
          : `differ for ${disagree.join(', ')}`,
    },
    {
      name: "every ticket's thread finished in the shared store",
      holds:
        store !== undefined &&
        store.unfinished.length === 0 &&
        store.finished.length === tickets.length,
      detail: `${store?.finished.length ?? 0} of ${tickets.length} threads finished`,
    },
    {
      name: 'the planner finished its task',
      holds: planner?.plannerAnswer !== undefined,
      detail: planner?.plannerAnswer ?? planner?.plannerError ?? report.error ?? 'no answer',
    },
    {
      name: 'no node process is left running',
      holds: report.nodes.length > 0 && report.nodes.every((n) => n.exited),
      detail: report.nodes.map((n) => `${n.name} ${n.exit}`).join(', '),
    },
  ];
}

/** The rows of the closing table. */
export function clusterRows(report: ClusterReport): [string, string][] {
  const { planner, store, kill } = report;
  const resolutions = new Map<string, number>();
  for (const e of planner?.effects ?? [])
    resolutions.set(e.service, (resolutions.get(e.service) ?? 0) + 1);
  const finalNode = new Map<number, string>();
  for (const p of planner?.placements ?? []) finalNode.set(p.ticket, p.on);
  const endedOn = new Map<string, number[]>();
  for (const [ticket, on] of finalNode) endedOn.set(on, [...(endedOn.get(on) ?? []), ticket]);
  return [
    [
      'tickets',
      `${report.tickets.length}: ${resolutions.get('mail') ?? 0} replied, ${resolutions.get('refunds') ?? 0} refunds escalated, ${resolutions.get('tickets') ?? 0} duplicates closed`,
    ],
    ['nodes', report.nodes.map((n) => `${n.name} (pid ${n.pid ?? '?'}, ${n.exit})`).join(', ')],
    ['store', report.storeDescription],
    [
      'killed',
      kill === undefined
        ? 'nothing'
        : `${kill.node} at ${(kill.at / 1000).toFixed(1)} s, running tickets ${kill.workers.map((w) => `${w.ticket} (step ${w.step})`).join(', ')}`,
    ],
    [
      'workers restarted',
      report.restarts.length === 0
        ? '0'
        : report.restarts
            .map(
              (r) =>
                `ticket ${r.ticket} ${r.from} -> ${r.to ?? '?'} (resumed after step ${r.resumedAt ?? '?'})`,
            )
            .join('; '),
    ],
    [
      'tickets ended on',
      [...endedOn]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([on, ts]) => `${on}: ${ts.length}`)
        .join(', '),
    ],
    [
      'journal (shared store)',
      Object.entries(store?.journal ?? {})
        .map(([t, n]) => `${t} ${n}`)
        .join(', ') || 'nothing read',
    ],
    [
      'calls cut off by the kill',
      `${(store?.entries ?? []).filter((e) => e.interrupted).length} (run again under the same idempotency key; ${report.repeats} refused by the service as repeats)`,
    ],
    [
      'effects',
      `${planner?.effects.length ?? 0} applied, ${(planner?.effects.length ?? 0) - new Set((planner?.effects ?? []).map((e) => e.key)).size} duplicates`,
    ],
    ['wall time', `${(report.wallMs / 1000).toFixed(1)} s`],
  ];
}
