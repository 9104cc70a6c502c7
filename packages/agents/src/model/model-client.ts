import type { ModelRequest } from './model-request.js';
import type { ModelResponse } from './model-response.js';
import type { StreamEvent } from './stream-event.js';

/**
 * A model, whatever serves it. Every failure is a `ModelCallError` with a closed `kind`; the one
 * other rejection is `WardenError('ERR_ABORTED')` when the request's own signal aborts it. Every
 * call ends (a deadline on the node's clock bounds it).
 */
export interface ModelClient {
  readonly provider: string;
  readonly model: string;
  generate(request: ModelRequest): Promise<ModelResponse>;
  stream(request: ModelRequest): AsyncIterable<StreamEvent>;
}
