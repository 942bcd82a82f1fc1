// Autoscalers: policies, and one policy's decisions over time as a chart (current and desired replicas per pool).
import { api, mayActOnApp, qs } from '../api';
import { useQuery } from '../router';
import type { Autoscaler, Decision } from '../types';
import { Action, Badge, Filter, Link, Loading, Time, useFetch } from '../ui';

export function Autoscalers() {
  const [q, setQ] = useQuery();
  const list = useFetch<Autoscaler[]>(`/api/v1/autoscalers${qs({ app: q.get('app'), namespace: q.get('namespace') })}`, 10000);
  return (
    <>
      <h1>Autoscalers</h1>
      <div class="filters">
        <Filter id="f-app" label="app" value={q.get('app') ?? ''} onChange={(v) => setQ({ app: v })} />
        <Filter id="f-namespace" label="namespace" value={q.get('namespace') ?? ''} onChange={(v) => setQ({ namespace: v })} />
      </div>
      <Loading l={list}>{(as) => (
        <table class="grid" id="autoscalers">
          <thead><tr><th>app</th><th>mode</th><th>strategies</th><th>pools: last decision</th></tr></thead>
          <tbody>{as.map((a) => (
            <tr key={a.id}>
              <td><Link href={`/autoscalers/${a.id}`}>{a.namespace}/{a.app}</Link></td><td><Badge s={a.mode} /></td>
              <td>{a.strategies.map((s) => `${s.name ?? s.type} ${s.target ?? ''}`).join(', ')}</td>
              <td>{a.latest.map((d) => <div key={d.pool}>{d.pool}: {d.current} → {d.desired} <Badge s={d.frozen ? 'frozen' : d.reason} title={d.frozen ?? d.explanation} /></div>)}</td>
            </tr>
          ))}</tbody>
        </table>
      )}</Loading>
    </>
  );
}

/** Current and desired replicas over time, one line each, for one pool (newest decision on the right). */
function Chart({ ds }: { ds: Decision[] }) {
  if (ds.length < 2) return <p class="muted">too few decisions for a chart yet</p>;
  const pts = [...ds].reverse();
  const t0 = Date.parse(pts[0].at), t1 = Date.parse(pts[pts.length - 1].lastAt || pts[pts.length - 1].at);
  const max = Math.max(1, ...pts.map((d) => Math.max(d.current, d.desired)));
  const W = 720, H = 180, P = 28;
  const x = (t: number) => P + ((t - t0) / Math.max(1, t1 - t0)) * (W - 2 * P);
  const y = (v: number) => H - P - (v / max) * (H - 2 * P);
  const line = (f: (d: Decision) => number) => pts.map((d) => `${x(Date.parse(d.at)).toFixed(1)},${y(f(d)).toFixed(1)}`).join(' ');
  return (
    <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label="current and desired replicas over time">
      <line x1={P} y1={H - P} x2={W - P} y2={H - P} class="axis" />
      <text x={2} y={y(max) + 4} class="tick">{max}</text><text x={2} y={H - P + 4} class="tick">0</text>
      <text x={P} y={H - 6} class="tick">{new Date(t0).toLocaleTimeString()}</text>
      <text x={W - P - 60} y={H - 6} class="tick">{new Date(t1).toLocaleTimeString()}</text>
      <polyline points={line((d) => d.current)} class="current" />
      <polyline points={line((d) => d.desired)} class="desired" />
      {pts.filter((d) => d.applied).map((d) => <circle key={d.id} cx={x(Date.parse(d.at))} cy={y(d.desired)} r={3} class="applied"><title>{d.explanation}</title></circle>)}
    </svg>
  );
}

function PoolDecisions({ id, pool }: { id: string; pool: string }) {
  const ds = useFetch<{ items: Decision[] }>(`/api/v1/autoscalers/${id}/decisions${qs({ pool, limit: 200 })}`, 15000);
  return (
    <section>
      <h3>{pool} <span class="legend"><i class="current" /> current <i class="desired" /> desired <i class="applied" /> scaled</span></h3>
      <Loading l={ds}>{(d) => (
        <>
          <Chart ds={d.items} />
          <table class="grid small">
            <thead><tr><th>when</th><th>current → desired</th><th>reason</th><th>explanation</th></tr></thead>
            <tbody>{d.items.slice(0, 15).map((x) => (
              <tr key={x.id}><td><Time ts={x.lastAt} />{x.repeats > 1 ? ` ×${x.repeats}` : ''}</td><td>{x.current} → {x.desired}{x.applied ? ' ✓' : ''}</td>
                <td><Badge s={x.frozen ? 'frozen' : x.reason} /></td><td class="small">{x.explanation}</td></tr>
            ))}</tbody>
          </table>
        </>
      )}</Loading>
    </section>
  );
}

export function AutoscalerPage({ id }: { id: string }) {
  const a = useFetch<Autoscaler>(`/api/v1/autoscalers/${id}`, 15000);
  return (
    <Loading l={a}>{(s) => {
      const denied = mayActOnApp(s.app);
      const mode = (m: string) => (reason: string) => api('POST', `/api/v1/autoscalers/${id}/${m}`, { reason }, reason);
      return (
        <>
          <h1>Autoscaler {s.namespace}/<Link href={`/apps/${encodeURIComponent(s.app)}`}>{s.app}</Link> <Badge s={s.mode} /></h1>
          <div class="row">
            <Action label="Observe only" denied={denied} disabled={s.mode === 'observe' ? 'already observing' : null} run={mode('observe')} done={a.reload} />
            <Action label="Enforce" denied={denied} disabled={s.mode === 'enforce' ? 'already enforcing' : null} run={mode('enforce')} done={a.reload} />
          </div>
          <p>Strategies: {s.strategies.map((x) => `${x.name ?? x.type} (target ${x.target})`).join(', ')} · pools {Object.entries(s.pools).map(([p, b]) => `${p} ${b.min}–${b.max}`).join(', ')} · by {s.createdBy}, version {s.version}</p>
          {Object.keys(s.pools).map((p) => <PoolDecisions key={p} id={id} pool={p} />)}
        </>
      );
    }}</Loading>
  );
}
