// Routes under /ui/ with the History API: every page, filter and selection lives in the URL, so a link restores the view.
import { store, useStore } from './store';

const BASE = '/ui';
export const location$ = store({ path: current(), search: window.location.search });

function current() {
  const p = window.location.pathname.startsWith(BASE) ? window.location.pathname.slice(BASE.length) : '/';
  return p === '' ? '/' : p;
}

function sync() {
  location$.value = { path: current(), search: window.location.search };
}

window.addEventListener('popstate', sync);

export function navigate(to: string, replace = false) {
  const url = to.startsWith('/ui') ? to : BASE + to;
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  sync();
  if (!replace) window.scrollTo(0, 0);
}

/** The current path (without /ui) and its query. */
export function useLocation() {
  return useStore(location$);
}

export function useQuery(): [URLSearchParams, (changes: Record<string, string | null | undefined>) => void] {
  const loc = useLocation();
  const q = new URLSearchParams(loc.search);
  const set = (changes: Record<string, string | null | undefined>) => {
    const n = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(changes)) if (v === null || v === undefined || v === '') n.delete(k); else n.set(k, v);
    const s = n.toString();
    navigate(window.location.pathname + (s ? '?' + s : ''), true);
  };
  return [q, set];
}

/** Matches '/releases/:id' against a path; the named parts, or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const a = pattern.split('/').filter(Boolean);
  const b = path.split('/').filter(Boolean);
  if (a.length !== b.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < a.length; i++) {
    if (a[i].startsWith(':')) out[a[i].slice(1)] = decodeURIComponent(b[i]);
    else if (a[i] !== b[i]) return null;
  }
  return out;
}

/** A link inside the app (no reload); ctrl/middle click still opens a new tab. */
export function onLink(e: MouseEvent) {
  const a = (e.currentTarget as HTMLAnchorElement);
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target) return;
  e.preventDefault();
  navigate(a.getAttribute('href')!);
}
