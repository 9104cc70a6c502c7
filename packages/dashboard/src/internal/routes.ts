import type { IncomingMessage, ServerResponse } from 'node:http';
import { isGovernanceError } from '@warden/agents';
import type { ResolvedDashboardOptions } from '../dashboard-options.js';
import type { DashboardState } from './dashboard-state.js';
import { checkHost, checkOrigin, checkToken, type Refusal, readJson } from './request-checks.js';
import { SECURITY_HEADERS, sendError, sendFile, sendJson } from './responses.js';
import type { SseHub } from './sse-hub.js';
import type { StaticFile } from './static-files.js';

export interface Routes {
  readonly token: string;
  /** The `Host` values answered; undefined answers any (a remote dashboard). */
  readonly hosts: ReadonlySet<string> | undefined;
  readonly files: ReadonlyMap<string, StaticFile> | undefined;
  readonly state: DashboardState;
  readonly hub: SseHub;
  readonly options: ResolvedDashboardOptions;
}

const APPROVAL_PATH = /^\/api\/approvals\/([A-Za-z0-9_-]{1,100})\/(approve|deny)$/;
const APPROVER = /^[\p{L}\p{N} ._@-]{1,64}$/u;
const MAX_REASON = 500;

/**
 * Answers one request. In order: the `Host` (every request), the route, the method, the token
 * (every API call), then for a mutation the origin and the body. The page and its assets need no
 * token (they hold no data); everything under `/api/` does.
 */
export async function route(
  routes: Routes,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const refused = checkHost(req, routes.hosts);
  if (refused !== undefined) return refuse(res, refused);
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const path = url.pathname;
  if (!path.startsWith('/api/')) return page(routes, req, res, path);

  const approval = APPROVAL_PATH.exec(path);
  const reads = ['/api/snapshot', '/api/node', '/api/trace', '/api/events'];
  if (approval === null && !reads.includes(path)) {
    return refuse(res, { status: 404, code: 'ERR_NOT_FOUND', message: `no ${path} here` });
  }
  const method = approval === null ? 'GET' : 'POST';
  if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) {
    return sendError(res, 405, 'ERR_METHOD_NOT_ALLOWED', `${path} answers ${method}`, {
      headers: { allow: method === 'GET' ? 'GET, HEAD' : 'POST' },
    });
  }
  const unauthorized = checkToken(req, routes.token);
  if (unauthorized !== undefined) {
    return sendError(res, unauthorized.status, unauthorized.code, unauthorized.message, {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (approval !== null) {
    return answer(routes, req, res, approval[1] as string, approval[2] as 'approve' | 'deny');
  }
  switch (path) {
    case '/api/snapshot':
      return sendJson(res, 200, await routes.state.snapshot());
    case '/api/node':
      return sendJson(res, 200, routes.state.nodeView());
    case '/api/trace': {
      const key = url.searchParams.get('key') ?? '';
      const trace = key === '' ? undefined : await routes.state.trace(key);
      if (trace === undefined) {
        return refuse(res, {
          status: 404,
          code: 'ERR_NOT_FOUND',
          message: 'no process with that key',
        });
      }
      return sendJson(res, 200, trace);
    }
    default:
      return events(routes, req, res);
  }
}

function page(routes: Routes, req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'ERR_METHOD_NOT_ALLOWED', `${path} answers GET`, {
      headers: { allow: 'GET, HEAD' },
    });
    return;
  }
  const file = routes.files?.get(path === '/' ? '/index.html' : path);
  if (file === undefined) {
    refuse(res, { status: 404, code: 'ERR_NOT_FOUND', message: `no ${path} here` });
    return;
  }
  sendFile(res, file, path.startsWith('/assets/'));
}

async function events(routes: Routes, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { hub } = routes;
  if (hub.full) {
    return sendError(res, 503, 'ERR_TOO_MANY_CLIENTS', 'too many live connections', {
      headers: { 'retry-after': '5' },
    });
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-security-policy': "default-src 'none'",
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  let gone = false;
  let registered: Awaited<ReturnType<SseHub['add']>> | undefined;
  res.once('close', () => {
    gone = true;
    if (registered !== undefined) hub.remove(registered);
  });
  const client = await hub.add(res);
  if (gone) hub.remove(client);
  else registered = client;
}

async function answer(
  routes: Routes,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  decision: 'approve' | 'deny',
): Promise<void> {
  const foreign = checkOrigin(req);
  if (foreign !== undefined) return refuse(res, foreign);
  const read = await readJson(req, routes.options.maxBodyBytes);
  if ('refusal' in read) return refuse(res, read.refusal);
  const body = parseAnswer(read.value);
  if ('refusal' in body) return refuse(res, body.refusal);
  const desk = routes.options.approvals;
  if (desk === undefined) {
    return refuse(res, {
      status: 409,
      code: 'ERR_NO_APPROVAL_DESK',
      message: 'this dashboard was given no approval desk',
    });
  }
  try {
    if (decision === 'approve') {
      const approval = await desk.approve(id, { approver: body.approver });
      routes.state.markChanged();
      return sendJson(res, 200, {
        id,
        decision: 'approved',
        approver: approval.approver,
        expiresAt: approval.expiresAt,
      });
    }
    desk.deny(id, {
      approver: body.approver,
      ...(body.reason === undefined ? {} : { reason: body.reason }),
    });
    routes.state.markChanged();
    return sendJson(res, 200, { id, decision: 'denied', approver: body.approver });
  } catch (error) {
    if (isGovernanceError(error, 'ERR_UNKNOWN_REQUEST')) {
      return refuse(res, { status: 404, code: 'ERR_UNKNOWN_REQUEST', message: error.message });
    }
    if (isGovernanceError(error, 'ERR_SELF_APPROVAL')) {
      return refuse(res, { status: 403, code: 'ERR_SELF_APPROVAL', message: error.message });
    }
    if (isGovernanceError(error, 'ERR_INVALID_OPTION')) {
      return refuse(res, { status: 400, code: 'ERR_BAD_REQUEST', message: error.message });
    }
    throw error;
  }
}

/** `{ approver, reason? }` and nothing else: a person's name and, for a denial, why. */
function parseAnswer(
  value: unknown,
):
  | { readonly approver: string; readonly reason: string | undefined }
  | { readonly refusal: Refusal } {
  const bad = (field: string, message: string) => ({
    refusal: { status: 400, code: 'ERR_BAD_REQUEST' as const, message, field },
  });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad('body', 'the body must be a JSON object');
  }
  const body = value as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (key !== 'approver' && key !== 'reason') return bad(key, `unknown field ${key}`);
  }
  if (typeof body.approver !== 'string' || !APPROVER.test(body.approver)) {
    return bad('approver', 'approver must be a name of 1 to 64 letters, digits, spaces or ._@-');
  }
  if (
    body.reason !== undefined &&
    (typeof body.reason !== 'string' || body.reason.length > MAX_REASON)
  ) {
    return bad('reason', `reason must be text of at most ${MAX_REASON} characters`);
  }
  return { approver: body.approver, reason: body.reason as string | undefined };
}

function refuse(res: ServerResponse, refusal: Refusal): void {
  sendError(res, refusal.status, refusal.code, refusal.message, {
    ...(refusal.field === undefined ? {} : { field: refusal.field }),
  });
}
