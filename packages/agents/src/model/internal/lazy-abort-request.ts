/**
 * A request whose `signal` is made only when a client reads it, and which can say whether it has
 * aborted without making it (`isRequestAborted`): the policy's request to a client, and an agent
 * step's request to its model. The model layer knows this shape, not the layers that make it.
 */
export abstract class LazyAbortRequest {
  /** Whether the signal has aborted (or would be born aborted), without making it. */
  abstract get aborted(): boolean;
}
