import type { ApiErrorBody, TraceView } from '../src/dashboard-snapshot.js';

const STORAGE_KEY = 'warden.dashboard.token';

/**
 * The run's token: taken from the address the server printed (`?token=`), kept for this tab
 * only (sessionStorage: no cookie a browser would attach to another site's request), and removed
 * from the address bar so it is neither bookmarked nor seen on a shared screen.
 */
export function takeToken(): string | undefined {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    sessionStorage.setItem(STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return sessionStorage.getItem(STORAGE_KEY) ?? undefined;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The dashboard's API, every call with the token in its `Authorization` header. */
export class DashboardApi {
  constructor(readonly token: string) {}

  get headers(): Record<string, string> {
    return { authorization: `Bearer ${this.token}` };
  }

  trace(key: string): Promise<TraceView> {
    return this.#json<TraceView>(`/api/trace?key=${encodeURIComponent(key)}`, { method: 'GET' });
  }

  answer(
    id: string,
    decision: 'approve' | 'deny',
    approver: string,
    reason?: string,
  ): Promise<unknown> {
    return this.#json(`/api/approvals/${encodeURIComponent(id)}/${decision}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(reason === undefined ? { approver } : { approver, reason }),
    });
  }

  async #json<T>(path: string, init: RequestInit): Promise<T> {
    const response = await fetch(path, {
      ...init,
      headers: { ...this.headers, ...(init.headers as Record<string, string> | undefined) },
      cache: 'no-store',
      credentials: 'omit',
    });
    const body = (await response.json().catch(() => undefined)) as unknown;
    if (!response.ok) {
      const error = (body as ApiErrorBody | undefined)?.error;
      throw new ApiError(
        response.status,
        error?.code ?? 'ERR_HTTP',
        error?.message ?? `HTTP ${response.status}`,
      );
    }
    return body as T;
  }
}
