import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ApiErrorCode } from './responses.js';

export type Refusal = {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly field?: string;
};

/**
 * The `Host` names a loopback dashboard answers to. A page on another site that got its name
 * pointed at 127.0.0.1 (DNS rebinding) sends its own name as `Host` and is refused, so it can
 * read nothing, not even the page.
 */
export function loopbackHosts(host: string, port: number): ReadonlySet<string> {
  const names = new Set([
    '127.0.0.1',
    'localhost',
    '[::1]',
    host.includes(':') ? `[${host}]` : host,
  ]);
  return new Set([...names].map((name) => `${name}:${port}`));
}

/** undefined when the request's `Host` is one of `allowed` (or any is allowed). */
export function checkHost(
  req: IncomingMessage,
  allowed: ReadonlySet<string> | undefined,
): Refusal | undefined {
  if (allowed === undefined) return undefined;
  const host = (req.headers.host ?? '').toLowerCase();
  if (allowed.has(host)) return undefined;
  return {
    status: 403,
    code: 'ERR_FORBIDDEN_HOST',
    message: `host ${host || '(none)'} is not served here`,
  };
}

/**
 * The token, from `Authorization: Bearer <token>` only: never from a cookie (a browser would
 * send that from any site) and never from the query string of an API call (it would end up in
 * logs). Compared in constant time, over digests so that lengths do not leak either.
 */
export function checkToken(req: IncomingMessage, token: string): Refusal | undefined {
  const header = req.headers.authorization ?? '';
  const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  if (given !== '' && timingSafeEqual(a, b)) return undefined;
  return {
    status: 401,
    code: 'ERR_UNAUTHORIZED',
    message: 'this needs the dashboard token: Authorization: Bearer <token>',
  };
}

/**
 * A mutation from a browser must come from the dashboard's own page: an `Origin` (browsers send
 * one on every POST) equal to this server's, and no `Sec-Fetch-Site` saying another site. A
 * client that is not a browser sends neither and is judged by its token alone.
 */
export function checkOrigin(req: IncomingMessage): Refusal | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return {
      status: 403,
      code: 'ERR_FORBIDDEN_ORIGIN',
      message: `a ${site} request cannot act here`,
    };
  }
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const host = req.headers.host ?? '';
  // https: a remote dashboard behind a TLS proxy; the host must be the one asked all the same.
  if (origin === `http://${host}` || origin === `https://${host}`) return undefined;
  return { status: 403, code: 'ERR_FORBIDDEN_ORIGIN', message: `origin ${origin} cannot act here` };
}

/** Reads a JSON body of at most `maxBytes`, as `application/json`; a refusal otherwise. */
export async function readJson(
  req: IncomingMessage,
  maxBytes: number,
): Promise<{ readonly value: unknown } | { readonly refusal: Refusal }> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    return {
      refusal: {
        status: 415,
        code: 'ERR_UNSUPPORTED_MEDIA_TYPE',
        message: 'the body must be application/json',
      },
    };
  }
  const tooLarge: Refusal = {
    status: 413,
    code: 'ERR_PAYLOAD_TOO_LARGE',
    message: `the body is larger than ${maxBytes} bytes`,
  };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) return { refusal: tooLarge };
  const body = await new Promise<Buffer | undefined>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // Past the bound: keep nothing more, let the rest drain (the answer closes the connection).
      req.off('data', onData);
      req.resume();
      resolve(undefined);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
  if (body === undefined) return { refusal: tooLarge };
  try {
    return { value: JSON.parse(body.toString('utf8')) as unknown };
  } catch {
    return { refusal: { status: 400, code: 'ERR_BAD_REQUEST', message: 'the body is not JSON' } };
  }
}
