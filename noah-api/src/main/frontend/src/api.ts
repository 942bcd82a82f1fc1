// The API client of the pages: same-origin calls on the session cookie (HttpOnly, set by POST /api/v1/session), the CSRF
// value echoed from its cookie on every mutating call, RFC 9457 problems turned into errors the pages show as they are.
import { store } from './store';

export type Role = 'ADMIN' | 'OPS' | 'DEVELOPER' | 'VIEWER';
export type Session = { actor: string; role: Role; apps: string[]; via: string; expiresAt: string | null; csrfToken: string | null };
export type Problem = { status: number; code?: string; title?: string; detail?: string; errors?: { field: string; message: string }[] };

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(`${problem.status} ${problem.code ?? ''}: ${problem.detail ?? problem.title ?? ''}`);
  }
}

/** Who is signed in; null before the first check, false when signed out. */
export const session = store<Session | null | false>(null);

function csrf(): string {
  const m = document.cookie.match(/(?:^|; )NOAH_CSRF=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

export async function api<T>(method: string, path: string, body?: unknown, reason?: string): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf();
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (reason) headers['X-Noah-Reason'] = reason;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 401 && path !== '/api/v1/session') session.value = false;
  if (!res.ok) {
    const p = await res.json().catch(() => ({}));
    throw new ApiError({ status: res.status, ...p });
  }
  return res.status === 204 ? (undefined as T) : res.json();
}

export const get = <T>(path: string) => api<T>('GET', path);

export async function checkSession() {
  try {
    session.value = await get<Session>('/api/v1/session');
  } catch {
    session.value = false;
  }
}

export async function signIn(token: string) {
  session.value = await api<Session>('POST', '/api/v1/session', { token });
}

export async function signOut() {
  await api('DELETE', '/api/v1/session').catch(() => undefined);
  session.value = false;
}

/** Query string from an object, leaving out empty values. */
export function qs(params: Record<string, string | number | boolean | undefined | null>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? '?' + s : '';
}

// ---- what the caller's role may do (mirrors SecurityConfig; the server decides, the pages only explain) ----
const rank: Record<Role, number> = { VIEWER: 0, DEVELOPER: 1, OPS: 2, ADMIN: 3 };

/** null when allowed, else why not (shown on the disabled control). */
export function mayActOnApp(app: string | null | undefined): string | null {
  const s = session.value;
  if (!s) return 'not signed in';
  if (s.role === 'VIEWER') return 'viewers may only look';
  if (s.role === 'DEVELOPER' && !(app && s.apps.includes(app))) return `a developer token acts only on its apps (${s.apps.join(', ')})`;
  return null;
}

export function mayOperate(): string | null {
  const s = session.value;
  if (!s) return 'not signed in';
  return rank[s.role] >= rank.OPS ? null : 'needs the ops or admin role';
}

export function mayAdmin(): string | null {
  const s = session.value;
  if (!s) return 'not signed in';
  return s.role === 'ADMIN' ? null : 'needs the admin role';
}
