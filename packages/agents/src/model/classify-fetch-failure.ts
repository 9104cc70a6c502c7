import { TRANSIENT_CODES } from '@warden/resilience';
import { ModelCallError } from './model-call-error.js';

export interface FetchFailureContext {
  readonly provider?: string;
  readonly model?: string;
}

/** DNS answers that resolving again may change (a flapping resolver, a name not yet published). */
const DNS_CODES: ReadonlySet<string> = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME']);

/** The socket or DNS code behind a fetch failure: undici puts it on `cause`, sometimes deeper. */
function codeOf(error: unknown): string | undefined {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (TRANSIENT_CODES.has(code) || DNS_CODES.has(code))) {
      return code;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function detail(error: unknown): string {
  const cause = (error as { cause?: unknown })?.cause;
  const own = error instanceof Error ? error.message : String(error);
  return cause instanceof Error && cause.message !== '' ? `${own} (${cause.message})` : own;
}

/**
 * Classifies a failure that happened before or while reading a response, with no status to go
 * by: fetch's `TypeError('fetch failed')` and `TypeError('terminated')`, and socket or DNS codes
 * (ECONNREFUSED, ECONNRESET, "socket hang up", ENOTFOUND, undici's UND_ERR_*) are `network`;
 * anything else is `unknown`. An abort is not a failure of the model and never comes here: the
 * caller's abort and the deadline are told apart before.
 */
export function classifyFetchFailure(
  error: unknown,
  context: FetchFailureContext = {},
): ModelCallError {
  const code = codeOf(error);
  const message = detail(error);
  const network =
    code !== undefined ||
    (error instanceof TypeError && /fetch failed|terminated|network/i.test(error.message)) ||
    /socket hang up|other side closed/i.test(message);
  return new ModelCallError(
    network ? 'network' : 'unknown',
    `${context.provider ?? 'model'}: ${network ? 'network error' : 'request failed'}: ${message}`,
    {
      ...(context.provider === undefined ? {} : { provider: context.provider }),
      ...(context.model === undefined ? {} : { model: context.model }),
      cause: error,
    },
  );
}
