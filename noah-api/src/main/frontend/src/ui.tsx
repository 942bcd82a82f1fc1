// Shared pieces of the pages: links, data loading with live refresh, reason-gated actions, badges, a virtualised table.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import { ApiError, get } from './api';
import { onLink } from './router';

export function Link(p: { href: string; children: ComponentChildren; class?: string; title?: string }) {
  return <a href={'/ui' + p.href} onClick={onLink} class={p.class} title={p.title}>{p.children}</a>;
}

export type Loaded<T> = { data: T | undefined; error: string | undefined; reload: () => void; at: number };

/** GETs path now and every refreshMs (paused while the tab is hidden); a null path loads nothing. */
export function useFetch<T>(path: string | null, refreshMs = 0): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; at: number }>({ at: 0 });
  const seq = useRef(0);
  const load = useCallback(() => {
    if (!path) return;
    const mine = ++seq.current;
    get<T>(path).then((data) => mine === seq.current && setState({ data, at: Date.now() }),
      (e) => mine === seq.current && setState((s) => ({ ...s, error: e instanceof ApiError ? e.message : String(e), at: Date.now() })));
  }, [path]);
  useEffect(() => {
    setState({ at: 0 });
    load();
    if (!refreshMs) return;
    const t = setInterval(() => document.visibilityState === 'visible' && load(), refreshMs);
    return () => clearInterval(t);
  }, [load, refreshMs]);
  return { data: state.data, error: state.error, reload: load, at: state.at };
}

export function ErrorBox({ error }: { error?: string }) {
  return error ? <div class="error" role="alert">{error}</div> : null;
}

export function Loading<T>({ l, children }: { l: Loaded<T>; children: (d: T) => ComponentChildren }) {
  if (l.data === undefined) return l.error ? <ErrorBox error={l.error} /> : <p class="muted">loading…</p>;
  return <>{l.error && <ErrorBox error={l.error} />}{children(l.data)}</>;
}

const good = new Set(['succeeded', 'done', 'enforce', 'Running', 'ready', 'reachable', 'ok', 'success']);
const warn = new Set(['waiting', 'paused', 'observe', 'Pending', 'running', 'stale', 'cancelled', 'reconciling', 'planned']);
export function Badge({ s, title }: { s: string; title?: string }) {
  const cls = good.has(s) ? 'good' : warn.has(s) ? 'warn' : /fail|abort|rolled|timed|error|unreach|conflict|frozen|Failed|interrupted/.test(s) ? 'bad' : '';
  return <span class={'badge ' + cls} title={title} data-state={s}>{s.replace('_', ' ')}</span>;
}

/** The environment colour of an IDC: a stable hue from its name (FNV-1a, spread by the golden angle), the same on every page. */
export function idcHue(idc: string): number {
  let h = 0x811c9dc5;
  for (const c of idc) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return Math.round((h % 1000) * 137.508) % 360;
}

export function Idc({ idc }: { idc?: string | null }) {
  if (!idc) return null;
  return <span class="idc" style={'--hue:' + idcHue(idc)}>{idc}</span>;
}

export function ago(ts?: string | null): string {
  if (!ts) return '—';
  const s = Math.round((Date.now() - Date.parse(ts)) / 1000);
  if (s < 0) return 'in ' + dur(-s);
  return dur(s) + ' ago';
}

function dur(s: number) {
  if (s < 60) return s + 's';
  if (s < 3600) return Math.floor(s / 60) + 'm';
  if (s < 86400) return Math.floor(s / 3600) + 'h';
  return Math.floor(s / 86400) + 'd';
}

export function Time({ ts }: { ts?: string | null }) {
  return ts ? <time dateTime={ts} title={new Date(ts).toLocaleString()}>{ago(ts)}</time> : <span class="muted">—</span>;
}

/**
 * A button for a mutating call: disabled with the reason when the caller's role may not (hover shows why); otherwise it
 * asks for a reason (audited) before it runs, and shows the server's problem if the call fails.
 */
export function Action(p: {
  label: string; id?: string; denied: string | null; run: (reason: string) => Promise<unknown>; danger?: boolean;
  needsReason?: boolean; done?: () => void; extra?: ComponentChildren; disabled?: string | null;
}) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const why = p.denied ?? p.disabled ?? null;
  const needsReason = p.needsReason !== false;
  async function go(e?: Event) {
    e?.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await p.run(reason.trim());
      setOpen(false);
      setReason('');
      p.done?.();
    } catch (x) {
      setError(x instanceof ApiError ? x.message : String(x));
    } finally {
      setBusy(false);
    }
  }
  return (
    <span class="action">
      <button id={p.id} class={p.danger ? 'danger' : ''} disabled={!!why || busy} title={why ?? undefined} data-denied={p.denied ?? undefined}
        onClick={() => needsReason ? setOpen(true) : go()}>{p.label}</button>
      {open && (
        <div class="dialog-backdrop" onClick={(e) => e.target === e.currentTarget && setOpen(false)}>
          <form class="dialog" onSubmit={go} aria-label={p.label}>
            <h3>{p.label}</h3>
            {p.extra}
            <label>Reason (kept in the audit trail)
              <input name="reason" autoFocus required minLength={3} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
            </label>
            <ErrorBox error={error} />
            <div class="row">
              <button type="button" class="secondary" onClick={() => setOpen(false)}>Cancel</button>
              <button type="submit" class={p.danger ? 'danger' : ''} disabled={busy || reason.trim().length < 3}>{busy ? '…' : p.label}</button>
            </div>
          </form>
        </div>
      )}
      {!open && error && <ErrorBox error={error} />}
    </span>
  );
}

export type Column<T> = { title: string; width?: string; cell: (row: T) => ComponentChildren; sort?: (row: T) => string | number };

/**
 * A table that renders only the rows in view (plus a margin): thousands of rows stay as cheap as a screenful. Sorting by
 * a column header; the scroll container has a fixed height.
 */
export function VirtualTable<T>({ rows, columns, rowHeight = 30, height = 560, id, keyOf }:
  { rows: T[]; columns: Column<T>[]; rowHeight?: number; height?: number; id?: string; keyOf: (r: T) => string }) {
  const [top, setTop] = useState(0);
  const [sort, setSort] = useState<{ i: number; desc: boolean } | null>(null);
  const sorted = sort && columns[sort.i].sort ? [...rows].sort((a, b) => {
    const f = columns[sort.i].sort!;
    const x = f(a), y = f(b);
    return (x < y ? -1 : x > y ? 1 : 0) * (sort.desc ? -1 : 1);
  }) : rows;
  const first = Math.max(0, Math.floor(top / rowHeight) - 10);
  const last = Math.min(sorted.length, Math.ceil((top + height) / rowHeight) + 10);
  const cols = columns.map((c) => c.width ?? '1fr').join(' ');
  return (
    <div class="vtable" id={id} data-rows={sorted.length}>
      <div class="vhead" style={{ gridTemplateColumns: cols }}>
        {columns.map((c, i) => (
          <div key={c.title} class={c.sort ? 'sortable' : ''} onClick={() => c.sort && setSort((s) => ({ i, desc: s?.i === i ? !s.desc : false }))}>
            {c.title}{sort?.i === i ? (sort.desc ? ' ▾' : ' ▴') : ''}
          </div>
        ))}
      </div>
      <div class="vbody" style={{ height: Math.min(height, sorted.length * rowHeight + 2) + 'px' }} onScroll={(e) => setTop((e.target as HTMLElement).scrollTop)}>
        <div style={{ height: sorted.length * rowHeight + 'px', position: 'relative' }}>
          {sorted.slice(first, last).map((r, i) => (
            <div key={keyOf(r)} class="vrow" style={{ gridTemplateColumns: cols, top: (first + i) * rowHeight + 'px', height: rowHeight + 'px' }}>
              {columns.map((c) => <div key={c.title}>{c.cell(r)}</div>)}
            </div>
          ))}
        </div>
      </div>
      {sorted.length === 0 && <p class="muted">nothing here</p>}
    </div>
  );
}

/** A text filter bound to a URL query key. */
export function Filter({ label, value, onChange, id, list }: { label: string; value: string; onChange: (v: string) => void; id?: string; list?: string[] }) {
  return (
    <label class="filter">{label}
      {list ? (
        <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          <option value="">all</option>
          {list.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      ) : (
        <input id={id} value={value} onChange={(e) => onChange((e.target as HTMLInputElement).value)} />
      )}
    </label>
  );
}
