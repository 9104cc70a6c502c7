import type { AnyTool } from '../tools/tool.js';
import { ToolError } from '../tools/tool-error.js';
import type { EffectEntry, EffectJournal } from './effect-journal.js';

/**
 * What the gate tells observers (the agent publishes it on the node's event stream) about a call
 * whose outcome is unknown: it found one and what comes next, and, when someone decided, what.
 * `key` is the journal entry the decision is for; `interrupted` the entry that was interrupted
 * while it ran (the same entry for a resumed call, an earlier one for a call made again).
 */
export type UnknownOutcomeEvent =
  | {
      readonly type: 'governance.unknown_outcome';
      readonly tool: string;
      readonly key: string;
      readonly interrupted: string;
      /** `rerun` at once (a read or an idempotent tool), `ask` a person, or `fail` at once. */
      readonly next: 'rerun' | 'ask' | 'fail';
    }
  | {
      readonly type: 'governance.unknown_outcome_decided';
      readonly tool: string;
      readonly key: string;
      readonly interrupted: string;
      readonly decision: 'rerun' | 'not_run';
      /** `person:<name>`, `rule:<id>`, `policy`, `timeout`, `capability`, `freeze:<flag>`, ... */
      readonly by: string;
    };

/** What the desk shows a person for a call resumed after it was interrupted. */
export const INTERRUPTED_QUESTION =
  'this call was interrupted while it ran: it may have happened. Run it again?';

/** What the desk shows a person for a call the model made again after one was interrupted. */
export function repeatedQuestion(interrupted: string): string {
  return `an identical call before this one (${interrupted}) was interrupted while it ran: it may have happened. Run this one?`;
}

/** How a journal entry settled as "not run again" begins its reason. */
const NOT_RUN_AGAIN = 'outcome unknown, not run again: ';

/** The reason stored on an unknown entry settled as not run again. */
export function notRunAgainReason(why: string): string {
  return `${NOT_RUN_AGAIN}${why}`;
}

/** True for an entry whose outcome is unknown and that someone decided not to run again. */
export function isSettledUnknown(entry: EffectEntry): boolean {
  return entry.state === 'failed' && entry.reason?.startsWith(NOT_RUN_AGAIN) === true;
}

/**
 * A read has no effect and an idempotent tool declared that running it twice with the same key
 * is running it once: either runs again at once. Anything else waits for a decision.
 */
export function safeToRepeat(tool: AnyTool): boolean {
  return tool.effect === 'read' || tool.idempotent;
}

/**
 * The entry of the last earlier run of the same call (thread, tool, canonical arguments) if its
 * outcome is unknown: `executing` (its agent died in `run`), `unknown`, or settled as not run
 * again. A later run of it that finished (`done`, or `failed` by `run` itself) is a definite
 * outcome and clears it; calls that never ran (denied) do not count.
 */
export async function interruptedBefore(
  journal: EffectJournal,
  call: { readonly threadId: string; readonly tool: string; readonly key: string },
  argsHash: string,
): Promise<EffectEntry | undefined> {
  const entries =
    journal.listCall === undefined
      ? await journal.list(call.threadId)
      : await journal.listCall(call.threadId, call.tool, argsHash);
  return lastInterrupted(entries, call, argsHash);
}

/** `interruptedBefore` over entries already read (the thread's, or the call's). */
export function lastInterrupted(
  entries: readonly EffectEntry[],
  call: { readonly tool: string; readonly key: string },
  argsHash: string,
): EffectEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i] as EffectEntry;
    if (entry.key === call.key || entry.tool !== call.tool || entry.argsHash !== argsHash) continue;
    if (entry.state === 'executing' || entry.state === 'unknown' || isSettledUnknown(entry)) {
      return entry;
    }
    if (entry.state === 'done' || entry.state === 'failed') return undefined;
  }
  return undefined;
}

/**
 * What the model is told about a call interrupted while it ran that was not run again: that it
 * may have happened, who decided, and that asking for it again is held the same way, so that it
 * checks the effect rather than retries.
 */
export function notRunAgain(tool: string, by: string, why: string): ToolError {
  return new ToolError(
    'ERR_PERMISSION_DENIED',
    tool,
    `${tool} was interrupted while it ran and may have taken effect. It was not run again, ` +
      `by decision of ${by}: ${why}. Check whether it took effect; the same call made again ` +
      'is held the same way.',
  );
}

/** The same, for an entry found settled (a resumed step meets it again). */
export function notRunAgainOf(entry: EffectEntry): ToolError {
  const why = (entry.reason ?? '').slice(NOT_RUN_AGAIN.length);
  return notRunAgain(entry.tool, entry.decidedBy ?? 'policy', why);
}

/** The task ended while a person was asked: nothing was decided and nothing ran. */
export function stillUnknown(tool: string): ToolError {
  return new ToolError(
    'ERR_PERMISSION_DENIED',
    tool,
    `${tool} was interrupted while it ran and may have taken effect. It was not run again: the ` +
      'task was cancelled before anyone decided, and its outcome is still unknown.',
  );
}
