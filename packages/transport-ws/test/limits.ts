import type { RateLimit } from '../src/index.js';

/**
 * For tests whose subject is not the handshake rate limit but that open hundreds of connections
 * under one identity within a second (which the default limit rightly refuses).
 */
export const MANY_HANDSHAKES: { readonly perIdentity: RateLimit } = {
  perIdentity: { burst: 100_000, perSecond: 100_000 },
};
