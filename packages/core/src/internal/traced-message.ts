import { RuntimeMessage } from '../messages.js';
import type { TraceContext } from '../trace-context.js';

/**
 * A mailbox entry that carries its sender's trace context beside the message (a plain message,
 * a `CastMessage` or a `CallRequest`). Made only while a node propagates context and the sender
 * had one, so a node that traces nothing never allocates one. No user code sees it: the runner
 * runs the handler of what it wraps inside its context, and every other reader of a mailbox
 * (a receive, a dead letter, a probe) takes the message out of it first.
 */
export class TracedMessage extends RuntimeMessage {
  override get system(): boolean {
    return false;
  }
  constructor(
    readonly message: unknown,
    readonly context: TraceContext,
  ) {
    super();
  }
}

/** The message itself, out of its trace wrapper if it has one. */
export function untraced(message: unknown): unknown {
  return message instanceof TracedMessage ? message.message : message;
}
