// Apps across clusters, one app's page (Deployments and pods per pool, releases, autoscaler, pod actions) and the pod table.
import { useEffect, useState } from 'preact/hooks';
import { api, get, mayActOnApp, qs } from '../api';
import { useQuery } from '../router';
import type { App, Autoscaler, Cluster, Page, Pod, Release } from '../types';
import { Action, Badge, ErrorBox, Filter, Idc, Link, Loading, Time, useFetch, VirtualTable } from '../ui';

export function Apps() {
  const [q, setQ] = useQuery();
  const apps = useFetch<App[]>('/api/v1/apps', 10000);
  const term = (q.get('q') ?? '').toLowerCase();
  const shown = (apps.data ?? []).filter((a) => !term || a.app.toLowerCase().includes(term));
  return (
    <>
      <h1>Apps</h1>
      <div class="filters"><Filter id="app-search" label="search" value={q.get('q') ?? ''} onChange={(v) => setQ({ q: v })} /></div>
      <Loading l={apps}>{() => (
        <table class="grid" id="apps">
          <thead><tr><th>app</th><th>ready pods</th><th>clusters</th></tr></thead>
          <tbody>
            {shown.map((a) => (
              <tr key={a.app}>
                <td><Link href={`/apps/${encodeURIComponent(a.app)}`}>{a.app}</Link></td>
                <td>{a.readyPods} / {a.pods}</td>
                <td>{a.clusters.map((c) => <span key={c.cluster} class="chip"><Idc idc={c.idc} /> {c.cluster} {c.readyPods}/{c.pods}</span>)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}</Loading>
    </>
  );
}

/** Every page of a paged list (continue tokens), up to `max` items. */
export function useAllPages<T>(path: string | null, refreshMs: number, max = 20000) {
  const [state, setState] = useState<{ items?: T[]; error?: string; ms?: number }>({});
  useEffect(() => {
    if (!path) return;
    let stop = false;
    const load = async () => {
      const t0 = performance.now();
      try {
        const items: T[] = [];
        let cont: string | null = null;
        do {
          const sep = path.includes('?') ? '&' : '?';
          const page: Page<T> = await get<Page<T>>(path + sep + 'limit=1000' + (cont ? '&continue=' + encodeURIComponent(cont) : ''));
          items.push(...page.items);
          cont = page.continueToken;
        } while (cont && items.length < max && !stop);
        if (!stop) setState({ items, ms: performance.now() - t0 });
      } catch (e) {
        if (!stop) setState((s) => ({ ...s, error: String(e) }));
      }
    };
    load();
    const t = refreshMs ? setInterval(() => document.visibilityState === 'visible' && load(), refreshMs) : undefined;
    return () => { stop = true; clearInterval(t); };
  }, [path, refreshMs]);
  return state;
}

function PodActions({ p }: { p: Pod }) {
  const denied = mayActOnApp(p.app);
  const base = `/api/v1/clusters/${p.cluster}/namespaces/${p.namespace}/pods/${p.name}`;
  return (
    <span class="row">
      <Link href={`/terminal${qs({ cluster: p.cluster, namespace: p.namespace, pod: p.name })}`} title="open a terminal">terminal</Link>
      <Action label="out of traffic" denied={denied} run={(reason) => api('POST', base + '/out-of-traffic', { reason })} />
      <Action label="isolate" danger denied={denied} run={(reason) => api('POST', base + '/isolate', { reason })} />
    </span>
  );
}

export function AppPage({ app }: { app: string }) {
  const view = useFetch<App>(`/api/v1/apps/${encodeURIComponent(app)}`, 5000);
  const clusters = useFetch<Cluster[]>('/api/v1/clusters', 30000);
  const releases = useFetch<Release[]>(`/api/v1/releases${qs({ app, limit: 20 })}`, 5000);
  const autoscalers = useFetch<Autoscaler[]>(`/api/v1/autoscalers${qs({ app })}`, 15000);
  const pods = useAllPages<Pod>(`/api/v1/pods${qs({ app })}`, 5000);
  const advice = useFetch<{ items: { id: number; advice: { kind: string; cluster: string; current: number; suggested: number; unit: string; summary: string } }[] }>(
    `/api/v1/advice${qs({ app, state: 'open' })}`, 60000);
  const poolOf = (cluster: string) => clusters.data?.find((c) => c.name === cluster)?.pool ?? '?';
  return (
    <>
      <h1>App {app}</h1>
      <div class="row">
        <Link href={`/releases/new${qs({ app })}`}>start a release…</Link>
        <Link href={`/exec${qs({ app })}`}>batch exec…</Link>
      </div>
      <Loading l={view}>{(a) => (
        <section>
          <h2>Deployments per pool</h2>
          <table class="grid" id="app-deployments">
            <thead><tr><th>pool</th><th>cluster</th><th>deployment</th><th>ready / replicas</th><th>images</th></tr></thead>
            <tbody>
              {a.clusters.flatMap((c) => c.deployments.map((d) => (
                <tr key={c.cluster + d.namespace + d.name}>
                  <td>{poolOf(c.cluster)}</td><td><Idc idc={c.idc} /> {c.cluster}</td><td>{d.namespace}/{d.name}</td>
                  <td>{d.readyReplicas} / {d.replicas}</td><td class="mono">{d.images.join(', ')}</td>
                </tr>
              )))}
            </tbody>
          </table>
        </section>
      )}</Loading>
      <section>
        <h2>Releases</h2>
        <Loading l={releases}>{(rs) => rs.length === 0 ? <p class="muted">none</p> : (
          <ul>{rs.map((r) => <li key={r.id}><Link href={`/releases/${r.id}`}>{r.version}</Link> <Badge s={r.state} /> by {r.createdBy} <Time ts={r.createdAt} /></li>)}</ul>
        )}</Loading>
      </section>
      <section>
        <h2>Autoscaler</h2>
        <Loading l={autoscalers}>{(as) => as.length === 0 ? <p class="muted">none</p> : (
          <>{as.map((s) => (
            <div key={s.id}>
              <Link href={`/autoscalers/${s.id}`}>{s.namespace}/{s.app}</Link> <Badge s={s.mode} />
              <ul>{s.latest.map((d) => <li key={d.id}>{d.pool}: {d.current} → {d.desired} <Badge s={d.reason} /> <Time ts={d.lastAt} /></li>)}</ul>
            </div>
          ))}</>
        )}</Loading>
      </section>
      {advice.data && advice.data.items.length > 0 && (
        <section>
          <h2>Open advice</h2>
          <ul>{advice.data.items.map((i) => <li key={i.id}><Badge s={i.advice.kind} /> {i.advice.cluster}: {i.advice.current} → <b>{i.advice.suggested}</b> {i.advice.unit} — {i.advice.summary}</li>)}</ul>
          <Link href={`/advice?app=${encodeURIComponent(app)}`}>all advice for {app}</Link>
        </section>
      )}
      <section>
        <h2>Pods <span class="count">{pods.items?.length ?? ''}</span></h2>
        <ErrorBox error={pods.error} />
        {pods.items && <PodTable pods={pods.items} actions />}
      </section>
    </>
  );
}

function PodTable({ pods, actions }: { pods: Pod[]; actions?: boolean }) {
  return (
    <VirtualTable id="pod-table" rows={pods} keyOf={(p) => p.cluster + '/' + p.namespace + '/' + p.name} columns={[
      { title: 'cluster', width: '9rem', cell: (p) => <><Idc idc={p.idc} /> {p.cluster}</>, sort: (p) => p.cluster },
      { title: 'pod', width: 'minmax(12rem, 2fr)', cell: (p) => <span class="mono">{p.namespace}/{p.name}</span>, sort: (p) => p.name },
      { title: 'app', width: '8rem', cell: (p) => p.app ? <Link href={`/apps/${encodeURIComponent(p.app)}`}>{p.app}</Link> : '—', sort: (p) => p.app ?? '' },
      { title: 'phase', width: '7rem', cell: (p) => <Badge s={p.terminating ? 'terminating' : p.phase ?? '?'} />, sort: (p) => p.phase ?? '' },
      { title: 'ready', width: '4rem', cell: (p) => p.ready ? '✓' : '·', sort: (p) => (p.ready ? 1 : 0) },
      { title: 'restarts', width: '5rem', cell: (p) => p.restarts, sort: (p) => p.restarts },
      { title: 'node', width: '9rem', cell: (p) => p.node ?? '—', sort: (p) => p.node ?? '' },
      { title: 'ip', width: '8rem', cell: (p) => p.ip ?? '—' },
      ...(actions ? [{ title: 'actions', width: '20rem', cell: (p: Pod) => <PodActions p={p} /> }] : []),
    ]} />
  );
}

export function Pods() {
  const [q, setQ] = useQuery();
  const clusters = useFetch<Cluster[]>('/api/v1/clusters', 30000);
  const filters = { cluster: q.get('cluster'), namespace: q.get('namespace'), app: q.get('app'), phase: q.get('phase') };
  const pods = useAllPages<Pod>(`/api/v1/pods${qs(filters)}`, 15000);
  const text = (q.get('q') ?? '').toLowerCase();
  const shown = (pods.items ?? []).filter((p) => !text || p.name.toLowerCase().includes(text) || (p.node ?? '').includes(text) || (p.ip ?? '').includes(text));
  return (
    <>
      <h1>Pods <span class="count" id="pod-count">{pods.items ? shown.length : ''}</span></h1>
      <div class="filters">
        <Filter id="f-cluster" label="cluster" value={filters.cluster ?? ''} list={(clusters.data ?? []).map((c) => c.name)} onChange={(v) => setQ({ cluster: v })} />
        <Filter id="f-namespace" label="namespace" value={filters.namespace ?? ''} onChange={(v) => setQ({ namespace: v })} />
        <Filter id="f-app" label="app" value={filters.app ?? ''} onChange={(v) => setQ({ app: v })} />
        <Filter id="f-phase" label="phase" value={filters.phase ?? ''} list={['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']} onChange={(v) => setQ({ phase: v })} />
        <Filter id="f-text" label="name, node or IP" value={q.get('q') ?? ''} onChange={(v) => setQ({ q: v })} />
        {pods.ms !== undefined && <span class="muted" id="pod-load-ms">loaded in {Math.round(pods.ms)} ms</span>}
      </div>
      <ErrorBox error={pods.error} />
      {pods.items ? <PodTable pods={shown} actions /> : <p class="muted">loading…</p>}
    </>
  );
}
