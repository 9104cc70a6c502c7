import type { Pid } from './pid.js';

/**
 * What `ctx.report(meter, amount)` puts in the mailbox of the nearest ancestor that collects
 * `meter` (a supervisor with that meter). `via` is the collector's child the report came through:
 * the reporter itself, or the ancestor of the reporter that is the collector's child. A plain user
 * message (it counts against the mailbox bound), handled in `handleInfo`.
 */
export class MeterReport {
  readonly type = 'meter.report' as const;
  constructor(
    readonly meter: string,
    readonly amount: number,
    readonly via: Pid,
  ) {}
}
