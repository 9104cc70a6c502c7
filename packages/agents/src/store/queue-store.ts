/** One request held at a degradation ladder's queue level. */
export interface QueuedRequest<R = unknown> {
  readonly id: string;
  readonly request: R;
  /** Node-clock time it was queued. */
  readonly at: number;
  /** Replays tried so far. */
  readonly replays: number;
}

/**
 * Where a degradation ladder's queue level keeps the requests it accepted, so that a restart of
 * the node does not lose them: they are replayed, in order, once a level above recovers.
 * `list` returns them oldest first; `put` of a known id replaces it in place.
 */
export interface QueueStore<R = unknown> {
  put(item: QueuedRequest<R>): Promise<void>;
  delete(id: string): Promise<boolean>;
  list(): Promise<readonly QueuedRequest<R>[]>;
  size(): Promise<number>;
}
