import type { ExitReason } from '../exit-reason.js';
import { RuntimeMessage } from '../messages.js';

/**
 * OTP's `{system, From, {terminate, Reason}}`: asks a `defineActor` process to run `terminate`
 * and end with `reason`. It waits its turn behind the messages queued before it, and travels on
 * the system lane, so a full mailbox cannot refuse it. Never seen by user handlers.
 */
export class StopRequest extends RuntimeMessage {
  override get system(): boolean {
    return true;
  }
  constructor(readonly reason: ExitReason) {
    super();
  }
}
