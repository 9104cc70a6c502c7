import type { ResilienceError } from './errors.js';
import type { QueuedRequest } from './queue-store.js';

/** A request answered by `level`. */
export interface Answer<Res> {
  readonly level: string;
  readonly value: Res;
}

/** What `execute` returns: an answer now, or a ticket for an answer after a replay. */
export type Served<Res> =
  | ({ readonly queued: false } & Answer<Res>)
  | {
      readonly queued: true;
      readonly level: string;
      readonly id: number;
      /** The request's id in the ladder's store (with a store): what `onReplayed` reports. */
      readonly key?: string;
      /** Settles with the replay's answer, in queue order. */
      readonly result: Promise<Answer<Res>>;
    };

/**
 * The outcome of a restored request's replay: its caller went with the node that queued it, so
 * the ladder's `onReplayed` receives it instead. `ok: false` is a request handed back after
 * `maxReplays` failed replays (`ERR_DEGRADED`), as a caller's `result` would have rejected.
 */
export type Replayed<Req, Res> = QueuedRequest<Req> &
  (
    | { readonly ok: true; readonly answer: Answer<Res> }
    | { readonly ok: false; readonly error: ResilienceError }
  );
