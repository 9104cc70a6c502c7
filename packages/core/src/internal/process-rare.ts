import type { WardenError } from '../errors.js';
import type { ExitReason } from '../exit-reason.js';
import type { Pid } from '../pid.js';
import type { Ref } from '../ref.js';

/** Result of a synchronous start, reported to whoever waits in `startLink`. */
export type StartOutcome =
  | { readonly kind: 'started' }
  | { readonly kind: 'ignored' }
  | { readonly kind: 'failed'; readonly reason: ExitReason };

/**
 * What most processes never use: a registered name, links, monitors, timers, an abort signal
 * and a waiting `startLink`. Kept apart from the process cell and made on the first write of
 * any of them, so that spawning a process that uses none (most, and every one of a spawn
 * churn) allocates and fills a cell of half the size, and ending one checks one field.
 */
export class ProcessRare {
  name: string | undefined = undefined;
  links: Map<string, Pid> | undefined = undefined;
  /** Monitors held by others on this process: ref -> watcher. */
  monitorsIn: Map<Ref, Pid> | undefined = undefined;
  /** Monitors this process holds: ref -> target. */
  monitorsOut: Map<Ref, Pid> | undefined = undefined;
  timers: Set<Ref> | undefined = undefined;
  controller: AbortController | undefined = undefined;
  /** `ctx.onExit` listeners, called once at the exit after the controller's. */
  exitListeners: ((error: WardenError) => void)[] | undefined = undefined;
  onStarted: ((outcome: StartOutcome) => void) | undefined = undefined;
}
