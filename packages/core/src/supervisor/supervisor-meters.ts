import { type Stop, stop } from '../actor-result.js';
import type { ActorContext } from '../context.js';
import { shutdownWith } from '../exit-reason.js';
import type { MeterReport } from '../meter-report.js';
import type { MeterSpec } from './flags.js';
import { chargeMeter, type MeterWindow, newMeterWindow } from './meter-window.js';
import type { SupervisorState } from './supervisor-state.js';

/** One meter of a supervisor: its limit and its window. */
export interface Meter {
  readonly spec: MeterSpec;
  readonly window: MeterWindow;
}

/** The windows of a supervisor's meters by name, or `undefined` when it has none (the usual case). */
export function newMeters(specs: readonly MeterSpec[] | undefined): Map<string, Meter> | undefined {
  if (specs === undefined) return undefined;
  return new Map(specs.map((spec) => [spec.name, { spec, window: newMeterWindow() }]));
}

/**
 * The exit reason of a supervisor whose meter passed its limit: a shutdown, as OTP's
 * reached_max_restart_intensity, so that a `transient` supervisor above takes it as a clean end
 * and a `permanent` one restarts it; the detail names the meter and the figures.
 */
export interface MeterExceeded {
  readonly meter: string;
  readonly limit: number;
  readonly spent: number;
  readonly period: number;
}

/**
 * A report from the subtree: counted in the meter's window, reported on to the next collector
 * above, and, past the limit, the supervisor shuts its children down (in `terminate`, as for
 * restart intensity) and exits. A report that did not come through one of its children, or for a
 * meter it does not have, is not counted: it is reported as unexpected.
 */
export function onReport(
  state: SupervisorState,
  ctx: ActorContext,
  report: MeterReport,
): SupervisorState | Stop<SupervisorState> {
  const meter = state.meters?.get(report.meter);
  if (
    meter === undefined ||
    state.byPid(report.via) === undefined ||
    typeof report.amount !== 'number' ||
    !Number.isFinite(report.amount) ||
    report.amount < 0
  ) {
    ctx.publish({
      type: 'supervisor.unexpected_message',
      time: ctx.now(),
      supervisor: ctx.self,
      message: report,
    });
    return state;
  }
  // Rolled up first: a limit higher in the tree counts what was spent here even when this
  // supervisor ends on it.
  ctx.report(report.meter, report.amount);
  const { spec, window } = meter;
  const verdict = chargeMeter(window, ctx.now(), report.amount, spec.limit, spec.period);
  if (!verdict.exceeded) return state;
  const detail: MeterExceeded = {
    meter: spec.name,
    limit: spec.limit,
    spent: verdict.spent,
    period: spec.period,
  };
  ctx.publish({
    type: 'supervisor.meter_exceeded',
    time: ctx.now(),
    supervisor: ctx.self,
    ...detail,
  });
  return stop(shutdownWith(detail), state);
}
