import type { ServerResponse } from 'node:http';
import type { ApiErrorBody } from '../dashboard-snapshot.js';

/**
 * The page's policy: scripts, styles and connections from this origin only, no inline script or
 * style, no eval, no plugin, no framing, no form posts; what an agent wrote can never run here.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
  "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; " +
  "frame-ancestors 'none'";

/** For everything that is not the page: nothing may load from it, nothing may frame it. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** Headers on every answer. The URL carries the token: no referrer ever leaves with it. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'cross-origin-opener-policy': 'same-origin',
});

/** The error codes of the API, one per way a request is refused. */
export type ApiErrorCode =
  | 'ERR_UNAUTHORIZED'
  | 'ERR_FORBIDDEN_HOST'
  | 'ERR_FORBIDDEN_ORIGIN'
  | 'ERR_NOT_FOUND'
  | 'ERR_METHOD_NOT_ALLOWED'
  | 'ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'ERR_PAYLOAD_TOO_LARGE'
  | 'ERR_BAD_REQUEST'
  | 'ERR_UNKNOWN_REQUEST'
  | 'ERR_SELF_APPROVAL'
  | 'ERR_NO_APPROVAL_DESK'
  | 'ERR_TOO_MANY_CLIENTS'
  | 'ERR_INTERNAL';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-security-policy': API_CSP,
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function sendError(
  res: ServerResponse,
  status: number,
  code: ApiErrorCode,
  message: string,
  extra: { readonly field?: string; readonly headers?: Readonly<Record<string, string>> } = {},
): void {
  const body: ApiErrorBody = {
    error: { code, message, ...(extra.field === undefined ? {} : { field: extra.field }) },
  };
  // A refused request's body may still be arriving: the connection is not kept for another.
  sendJson(res, status, body, { ...extra.headers, connection: 'close' });
}

export function sendFile(
  res: ServerResponse,
  file: { readonly body: Buffer; readonly type: string },
  immutable: boolean,
): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-security-policy': PAGE_CSP,
    'content-type': file.type,
    'content-length': file.body.byteLength,
    // Vite names assets by their hash: they never change. The page itself is always fetched.
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : file.body);
}
