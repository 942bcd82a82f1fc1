// Noah's web pages: one single-page app under /ui/ (Preact), signed in by a session cookie, every view in its URL.
import { render } from 'preact';
import type { ComponentChildren } from 'preact';
import { lazy, Suspense } from 'preact/compat';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, checkSession, session, signIn, signOut } from './api';
import { match, navigate, useLocation } from './router';
import { useStore } from './store';
import { Link } from './ui';
import { Fleet } from './pages/fleet';
import { AppPage, Apps, Pods } from './pages/apps';
import { NewRelease, ReleasePage, Releases } from './pages/releases';
import { ExecJobPage, ExecJobs, NodeOpPage, Nodes } from './pages/ops';
import { AutoscalerPage, Autoscalers } from './pages/autoscalers';
import { Alerts, Audit, Tokens } from './pages/admin';
import { Advice, MigrationPage, Migrations } from './pages/dr';
import './style.css';

// xterm.js (≈ 100 KB gzipped) is fetched only when a terminal opens
const TerminalPage = lazy(() => import('./pages/terminal'));

const nav: [string, string, string][] = [
  ['/', 'Fleet', 'f'], ['/apps', 'Apps', 'a'], ['/pods', 'Pods', 'p'], ['/releases', 'Releases', 'r'], ['/exec', 'Batch exec', 'x'],
  ['/nodes', 'Nodes', 'n'], ['/autoscalers', 'Autoscalers', 's'], ['/migrations', 'DR', 'm'], ['/advice', 'Advice', 'v'], ['/alerts', 'Alerts', 'l'], ['/audit', 'Audit', 'u'], ['/tokens', 'Tokens', 't'],
];

const routes: [string, (p: Record<string, string>) => ComponentChildren][] = [
  ['/', () => <Fleet />],
  ['/apps', () => <Apps />],
  ['/apps/:app', (p) => <AppPage app={p.app} />],
  ['/pods', () => <Pods />],
  ['/releases', () => <Releases />],
  ['/releases/new', () => <NewRelease />],
  ['/releases/:id', (p) => <ReleasePage id={p.id} />],
  ['/exec', () => <ExecJobs />],
  ['/exec/:id', (p) => <ExecJobPage id={p.id} />],
  ['/nodes', () => <Nodes />],
  ['/nodes/operations/:id', (p) => <NodeOpPage id={p.id} />],
  ['/autoscalers', () => <Autoscalers />],
  ['/autoscalers/:id', (p) => <AutoscalerPage id={p.id} />],
  ['/migrations', () => <Migrations />],
  ['/migrations/:id', (p) => <MigrationPage id={p.id} />],
  ['/advice', () => <Advice />],
  ['/alerts', () => <Alerts />],
  ['/audit', () => <Audit />],
  ['/tokens', () => <Tokens />],
  ['/terminal', () => <Suspense fallback={<p class="muted">loading the terminal…</p>}><TerminalPage /></Suspense>],
];

function SignIn() {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  async function submit(e: Event) {
    e.preventDefault();
    try {
      await signIn(token);
      setToken('');
    } catch (x) {
      setError(x instanceof ApiError ? x.message : String(x));
    }
  }
  return (
    <main class="signin">
      <form onSubmit={submit}>
        <h1>Noah</h1>
        <p class="muted">Sign in with your API token. It is sent once; the browser keeps only a session cookie it cannot read.</p>
        <input id="signin-token" type="password" autoFocus autoComplete="off" placeholder="noah_…" value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)} />
        <button id="signin" type="submit" disabled={!token}>Sign in</button>
        {error && <div class="error" role="alert">{error}</div>}
      </form>
    </main>
  );
}

function toggleTheme() {
  const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  document.documentElement.dataset.theme = next;
  localStorage.setItem('noah.theme', next); // a preference only, never a secret
}

const shortcuts: [string, string][] = [
  ...nav.map(([, label, key]) => ['g ' + key, label] as [string, string]),
  ['/', 'focus the first filter'], ['d', 'light / dark theme'], ['?', 'this sheet'], ['Esc', 'close a dialog or this sheet'],
];

function useShortcuts(setHelp: (f: (v: boolean) => boolean) => void) {
  useEffect(() => {
    let g = false;
    let gTimer: number | undefined;
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === 'Escape') { setHelp(() => false); (document.querySelector('.dialog-backdrop') as HTMLElement | null)?.click(); return; }
      if (t.closest('input, textarea, select, .xterm') || e.ctrlKey || e.metaKey || e.altKey) return;
      if (g) {
        g = false;
        const hit = nav.find(([, , k]) => k === e.key);
        if (hit) { e.preventDefault(); navigate(hit[0]); }
        return;
      }
      if (e.key === 'g') { g = true; clearTimeout(gTimer); gTimer = window.setTimeout(() => { g = false; }, 1200); }
      else if (e.key === '?') setHelp((v) => !v);
      else if (e.key === 'd') toggleTheme();
      else if (e.key === '/') { const f = document.querySelector('main input, main select') as HTMLElement | null; if (f) { e.preventDefault(); f.focus(); } }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

function Shell() {
  const s = useStore(session);
  const loc = useLocation();
  const [help, setHelp] = useState(false);
  useShortcuts(setHelp);
  useEffect(() => { checkSession(); }, []);
  if (s === null) return <p class="muted">…</p>;
  if (s === false) return <SignIn />;
  let page: ComponentChildren = <p>No such page. <Link href="/">Fleet</Link></p>;
  for (const [pattern, view] of routes) {
    const m = match(pattern, loc.path);
    if (m) { page = view(m); break; }
  }
  const active = (href: string) => href === '/' ? loc.path === '/' : loc.path.startsWith(href);
  return (
    <>
      <header class="top">
        <Link href="/" class="brand">Noah</Link>
        <nav>
          {nav.map(([href, label, key]) => (
            <Link key={href} href={href} class={active(href) ? 'active' : ''} title={`g ${key}`}>{label}</Link>
          ))}
        </nav>
        <span class="me" id="me" data-role={s.role}>{s.actor} · {s.role.toLowerCase()}</span>
        <button class="secondary" title="light / dark (d)" onClick={toggleTheme}>◐</button>
        <button class="secondary" title="keyboard shortcuts (?)" onClick={() => setHelp((v) => !v)}>?</button>
        <button class="secondary" id="signout" onClick={() => signOut()}>Sign out</button>
      </header>
      <main>{page}</main>
      {help && (
        <div class="dialog-backdrop" onClick={() => setHelp(false)}>
          <div class="dialog" id="shortcuts" role="dialog" aria-label="Keyboard shortcuts">
            <h3>Keyboard shortcuts</h3>
            <table>{shortcuts.map(([k, v]) => <tr key={k}><td><kbd>{k}</kbd></td><td>{v}</td></tr>)}</table>
          </div>
        </div>
      )}
    </>
  );
}

render(<Shell />, document.getElementById('app')!);
