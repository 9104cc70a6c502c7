import type { ModelCallError } from '../model-call-error.js';
import type { ModelRequest } from '../model-request.js';
import type { ModelResponse } from '../model-response.js';
import type { OpenStream } from './open-stream.js';

/** One call on its way down the ladder (and perhaps into the queue). */
export interface LadderEntry {
  readonly request: ModelRequest;
  readonly mode: 'generate' | 'stream';
  /** The caller stopped waiting (abort, queue deadline): a replay skips it, calling nothing. */
  abandoned: boolean;
  /** What the primary said, if it was asked: the error the caller gets if nothing serves. */
  primaryError: ModelCallError | undefined;
}

/**
 * What a rung hands back. A failure that must not degrade (`context_length`, `bad_request`,
 * `content_filter`) travels as data, so the ladder does not pass it down to the next rung.
 */
export type LadderResult =
  | { readonly kind: 'response'; readonly level: string; readonly response: ModelResponse }
  | { readonly kind: 'stream'; readonly level: string; readonly stream: OpenStream }
  | { readonly kind: 'final'; readonly error: ModelCallError }
  | { readonly kind: 'skipped' };
