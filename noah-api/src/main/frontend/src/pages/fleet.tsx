// Fleet home: clusters by IDC and one list of what needs attention across everything.
import type { ComponentChildren } from 'preact';
import type { Alert, Autoscaler, Cluster, NodeOp, Publisher, Release } from '../types';
import { Badge, ErrorBox, Idc, Link, Loading, Time, useFetch } from '../ui';

type Attention = { key: string; kind: string; what: ComponentChildren; since?: string | null };

export function Fleet() {
  const clusters = useFetch<Cluster[]>('/api/v1/clusters', 5000);
  const releases = useFetch<Release[]>('/api/v1/releases?limit=200', 5000);
  const alerts = useFetch<{ items: Alert[]; staleClusters: string[] }>('/api/v1/alerts', 10000);
  const publishers = useFetch<{ enabled: boolean; items: Publisher[] }>('/api/v1/events/publishers', 10000);
  const nodeOps = useFetch<NodeOp[]>('/api/v1/node-operations?limit=50', 10000);
  const autoscalers = useFetch<Autoscaler[]>('/api/v1/autoscalers', 10000);
  const migrations = useFetch<{ id: string; state: string; fromIdc: string; toIdc: string; message: string | null; updatedAt: string }[]>('/api/v1/migrations?limit=20', 10000);

  const attention: Attention[] = [];
  for (const r of releases.data ?? []) {
    if (r.state === 'waiting' || r.state === 'paused') {
      attention.push({ key: 'r' + r.id, kind: r.state === 'waiting' ? 'gate' : 'paused', since: r.updatedAt,
        what: <>release <Link href={`/releases/${r.id}`}>{r.app} → {r.version}</Link> {r.state === 'waiting' ? `waits at the gate after step ${r.step} of ${r.lastStep}` : 'is paused'}{r.reason ? ` (${r.reason})` : ''}</> });
    }
  }
  for (const c of clusters.data ?? []) {
    if (!c.status.reachable) attention.push({ key: 'c' + c.name, kind: 'unreachable', since: c.status.probedAt, what: <>cluster <b>{c.name}</b> is unreachable{c.status.error ? `: ${c.status.error}` : ''}</> });
    else if (c.status.stale) attention.push({ key: 'c' + c.name, kind: 'stale', since: c.status.lastEventAt, what: <>cluster <b>{c.name}</b>'s cache is stale</> });
  }
  for (const a of alerts.data?.items ?? []) {
    attention.push({ key: 'a' + a.idc + a.ip, kind: a.type, since: a.since, what: <><Idc idc={a.idc} /> {a.ip} is used by {a.pods.join(', ')} (<Link href="/alerts">alerts</Link>)</> });
  }
  if (publishers.data?.enabled) {
    for (const p of publishers.data.items) {
      if (p.lastError || !p.leaseLive) attention.push({ key: 'p' + p.work, kind: 'publisher', since: p.lastPublishedAt,
        what: <>event publisher <b>{p.work}</b> is not publishing{p.lastError ? `: ${p.lastError}` : ' (no live lease)'}</> });
    }
  }
  for (const op of nodeOps.data ?? []) {
    const blocked = op.nodes.filter((n) => n.blocked.length > 0);
    if ((op.state === 'running' || op.state === 'paused') && blocked.length > 0) {
      attention.push({ key: 'n' + op.id, kind: 'drain blocked', since: op.createdAt,
        what: <><Link href={`/nodes/operations/${op.id}`}>{op.action} of {op.nodes.length} nodes</Link> is blocked on {blocked.map((n) => n.node).join(', ')}</> });
    }
  }
  for (const a of autoscalers.data ?? []) {
    for (const d of a.latest) {
      if (d.frozen) attention.push({ key: 's' + a.id + d.pool, kind: 'autoscaler frozen', since: d.at,
        what: <>autoscaler <Link href={`/autoscalers/${a.id}`}>{a.app}</Link> in {d.pool} is frozen: {d.frozen}</> });
    }
  }

  for (const m of migrations.data ?? []) {
    if (m.state === 'paused' || m.state === 'reconciling' || m.state === 'failed') {
      attention.push({ key: 'm' + m.id, kind: 'migration ' + m.state, since: m.updatedAt,
        what: <>migration <Link href={`/migrations/${m.id}`}>{m.fromIdc} → {m.toIdc}</Link> is {m.state}{m.message ? `: ${m.message}` : ''}</> });
    }
  }

  const byIdc = new Map<string, Cluster[]>();
  for (const c of clusters.data ?? []) byIdc.set(c.idc, [...(byIdc.get(c.idc) ?? []), c]);
  return (
    <>
      <h1>Fleet</h1>
      <section>
        <h2>Needs attention <span class="count" id="attention-count">{attention.length}</span></h2>
        <ErrorBox error={releases.error} />
        {attention.length === 0 ? <p class="muted" id="attention-empty">Nothing waits for anyone.</p> : (
          <ul class="attention" id="attention">
            {attention.map((a) => <li key={a.key}><Badge s={a.kind} /> {a.what} <span class="muted"><Time ts={a.since} /></span></li>)}
          </ul>
        )}
      </section>
      <section>
        <h2>Clusters</h2>
        <Loading l={clusters}>{() => (
          <div class="idcs" id="clusters">
            {[...byIdc.entries()].map(([idc, cs]) => (
              <div key={idc} class="idc-group">
                <h3><Idc idc={idc} /></h3>
                <div class="cards">
                  {cs.map((c) => (
                    <div key={c.name} class="card cluster" data-cluster={c.name}>
                      <div class="row"><b>{c.name}</b> <span class="muted">pool {c.pool}</span>
                        <Badge s={!c.status.reachable ? 'unreachable' : c.status.stale ? 'stale' : 'reachable'} />
                        {c.maintenance && <Badge s="maintenance" />}</div>
                      <div class="muted">{c.status.kubernetesVersion ?? 'version unknown'} · probed <Time ts={c.status.probedAt} /></div>
                      <div class="nums">
                        <Link href={`/nodes?cluster=${c.name}`}><b>{c.status.nodes}</b> nodes</Link>
                        <Link href={`/pods?cluster=${c.name}`}><b>{c.status.pods}</b> pods</Link>
                        <span><b>{c.status.deployments}</b> deployments</span>
                      </div>
                    </div>
                  ))}
                </div>
              </div>
            ))}
          </div>
        )}</Loading>
      </section>
    </>
  );
}
