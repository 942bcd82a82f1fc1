// Alerts, the audit trail (ops, admin) and API tokens (admin).
import { useState } from 'preact/hooks';
import { api, mayAdmin, mayOperate, qs } from '../api';
import { useQuery } from '../router';
import type { Alert, AuditEvent, Token } from '../types';

type Isolated = { cluster: string; namespace: string; pod: string; deployment: string | null; node: string | null; running: boolean; expiresAt: string | null };
import { Action, Badge, ErrorBox, Filter, Idc, Loading, Time, useFetch } from '../ui';

export function Alerts() {
  const [q, setQ] = useQuery();
  const alerts = useFetch<{ items: Alert[]; staleClusters: string[] }>(`/api/v1/alerts${qs({ idc: q.get('idc') })}`, 10000);
  const isolated = useFetch<Isolated[]>('/api/v1/isolated-pods', 15000);
  return (
    <>
      <h1>Alerts</h1>
      <div class="filters"><Filter id="f-idc" label="IDC" value={q.get('idc') ?? ''} onChange={(v) => setQ({ idc: v })} /></div>
      <Loading l={alerts}>{(a) => (
        <>
          {a.staleClusters.length > 0 && <p><Badge s="stale" /> clusters with stale caches (their alerts may be incomplete): {a.staleClusters.join(', ')}</p>}
          {a.items.length === 0 ? <p class="muted">No alerts.</p> : (
            <table class="grid" id="alerts">
              <thead><tr><th>type</th><th>IDC</th><th>IP</th><th>pods</th><th>since</th></tr></thead>
              <tbody>{a.items.map((x) => <tr key={x.idc + x.ip}><td><Badge s={x.type} /></td><td><Idc idc={x.idc} /></td><td>{x.ip}</td><td>{x.pods.join(', ')}</td><td><Time ts={x.since} /></td></tr>)}</tbody>
            </table>
          )}
        </>
      )}</Loading>
      <h2>Isolated pods</h2>
      <Loading l={isolated}>{(ps) => ps.length === 0 ? <p class="muted">None: no pod is kept out of its Deployment for a look.</p> : (
        <table class="grid" id="isolated">
          <thead><tr><th>pod</th><th>was in</th><th>node</th><th>running</th><th>deleted</th><th></th></tr></thead>
          <tbody>{ps.map((p) => (
            <tr key={p.cluster + p.namespace + p.pod}><td>{p.cluster}/{p.namespace}/{p.pod}</td><td>{p.deployment ?? '—'}</td><td>{p.node ?? '—'}</td>
              <td>{p.running ? 'yes' : 'no'}</td><td><Time ts={p.expiresAt} /></td>
              <td><Action label="Delete now" danger denied={mayOperate()} run={(reason) => api('DELETE', `/api/v1/isolated-pods/${p.cluster}/${p.namespace}/${p.pod}`, undefined, reason)} done={isolated.reload} /></td></tr>
          ))}</tbody>
        </table>
      )}</Loading>
    </>
  );
}

export function Audit() {
  const [q, setQ] = useQuery();
  const denied = mayOperate();
  const rows = useFetch<AuditEvent[]>(denied ? null : `/api/v1/audit${qs({ actor: q.get('actor'), target: q.get('target'), limit: 500 })}`, 10000);
  return (
    <>
      <h1>Audit trail</h1>
      {denied ? <p class="muted" id="audit-denied">The audit trail {denied}.</p> : (
        <>
          <div class="filters">
            <Filter id="f-actor" label="actor" value={q.get('actor') ?? ''} onChange={(v) => setQ({ actor: v })} />
            <Filter id="f-target" label="path contains" value={q.get('target') ?? ''} onChange={(v) => setQ({ target: v })} />
          </div>
          <Loading l={rows}>{(rs) => (
            <table class="grid" id="audit">
              <thead><tr><th>when</th><th>actor</th><th>action</th><th>target</th><th>outcome</th><th>reason</th></tr></thead>
              <tbody>{rs.map((e) => (
                <tr key={e.id}><td><Time ts={e.at} /></td><td>{e.actor}</td><td class="mono">{e.action}</td><td class="mono small">{e.target}</td>
                  <td><Badge s={e.outcome < 400 ? 'ok' : String(e.outcome)} title={String(e.outcome)} /></td><td>{e.reason}</td></tr>
              ))}</tbody>
            </table>
          )}</Loading>
        </>
      )}
    </>
  );
}

export function Tokens() {
  const denied = mayAdmin();
  const list = useFetch<Token[]>(denied ? null : '/api/v1/tokens', 0);
  const [name, setName] = useState('');
  const [role, setRole] = useState('VIEWER');
  const [apps, setApps] = useState('');
  const [created, setCreated] = useState<string>();
  const [error, setError] = useState<string>();
  if (denied) return <><h1>API tokens</h1><p class="muted" id="tokens-denied">Tokens: {denied}.</p></>;
  async function create(e: Event) {
    e.preventDefault();
    setError(undefined);
    try {
      const t = await api<{ token: string }>('POST', '/api/v1/tokens', { name, role, apps: role === 'DEVELOPER' ? apps.split(',').map((s) => s.trim()).filter(Boolean) : undefined });
      setCreated(t.token);
      setName('');
      list.reload();
    } catch (x) {
      setError((x as Error).message);
    }
  }
  return (
    <>
      <h1>API tokens</h1>
      <form class="row" onSubmit={create}>
        <input placeholder="name" required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} />
        <select value={role} onChange={(e) => setRole((e.target as HTMLSelectElement).value)}>{['VIEWER', 'DEVELOPER', 'OPS', 'ADMIN'].map((r) => <option key={r}>{r}</option>)}</select>
        {role === 'DEVELOPER' && <input placeholder="apps (comma-separated)" value={apps} onInput={(e) => setApps((e.target as HTMLInputElement).value)} />}
        <button type="submit">Create</button>
      </form>
      <ErrorBox error={error} />
      {created && <div class="card"><b>Copy the token now; it is not shown again:</b> <code class="mono">{created}</code></div>}
      <Loading l={list}>{(ts) => (
        <table class="grid" id="tokens">
          <thead><tr><th>name</th><th>role</th><th>apps</th><th>by</th><th>created</th><th></th></tr></thead>
          <tbody>{ts.map((t) => (
            <tr key={t.id}><td>{t.name}</td><td>{t.role}</td><td>{t.apps.join(', ')}</td><td>{t.createdBy}</td><td><Time ts={t.createdAt} /></td>
              <td>{t.revokedAt ? <Badge s="revoked" /> : <Action label="Revoke" danger denied={null} run={(reason) => api('DELETE', `/api/v1/tokens/${t.id}`, undefined, reason)} done={list.reload} />}</td></tr>
          ))}</tbody>
        </table>
      )}</Loading>
    </>
  );
}
