import { type ErrorCode, WardenError } from '../errors.js';
import type { ExitReason } from '../exit-reason.js';
import { withoutStack } from '../without-stack.js';

/**
 * A `WardenError` made without a stack trace, for news the runtime delivers about something that
 * happened elsewhere: a process's signal aborting because it exited (`ERR_ABORTED`), a call whose
 * server exited during it (`ERR_EXIT`), the calls a stopping node rejects (`ERR_NODE_STOPPED`).
 * Such an error is made deep in the runtime (an exit's signals, a DOWN, `stop`), so its stack
 * names only the runtime's frames, never the code that waits for it, and capturing one was the
 * largest single cost of a process's exit. Its `stack` is its first line, `WardenError: message`.
 *
 * An error thrown at a caller's own misuse (a bad argument, a send on a stopped node) keeps its
 * stack: there the stack points at the line to fix.
 */
export function signalError(
  code: ErrorCode,
  message: string,
  extra?: { reason?: ExitReason; cause?: unknown },
): WardenError {
  return withoutStack(() => new WardenError(code, message, extra));
}
