import type { ModelRequest } from '../model/model-request.js';
import type { ModelResponse } from '../model/model-response.js';

/** One call the scripted model received, for a test's assertions. */
export interface ScriptedCall {
  readonly index: number;
  readonly mode: 'generate' | 'stream';
  readonly request: ModelRequest;
  readonly startedAt: number;
  endedAt: number | undefined;
  outcome: 'pending' | 'answered' | 'failed' | 'aborted';
  response: ModelResponse | undefined;
  error: unknown;
}
