// Disaster-recovery migrations: plan one (the fit check and blockers first), follow it live, gate it; and resource advice.
import { useState } from 'preact/hooks';
import { api, mayOperate, qs } from '../api';
import { navigate, useQuery } from '../router';
import type { Cluster } from '../types';
import { Action, Badge, ErrorBox, Filter, Idc, Link, Loading, Time, useFetch } from '../ui';
import { useStream } from './ops';

type Move = { app: string; namespace: string; deployment: string; source: string; target: string; total: number; moved: number; phase: string;
  batch: number; batchSize: number; order: number; error: string | null; createsTarget: boolean };
type Fit = { cluster: string; fits: boolean; placeable: number; pods: number; summary: string };
type Plan = { fits: boolean; blockers: string[]; fit: Fit[]; moves: Move[] };
type Migration = { id: string; fromIdc: string; toIdc: string; state: string; createdBy: string; createdAt: string; reason: string | null; message: string | null;
  allApps: boolean; moves: Move[]; history: { at: string; actor: string; what: string; app: string | null; source: string | null; target: string | null;
  sourceReplicas: number | null; targetReplicas: number | null }[]; report: { cluster: string; role: string; apps: number; pods: number; toReconcile: number }[];
  reverseOf: string | null };

const ACTIVE = ['running', 'paused', 'rolling_back', 'reconciling'];

function MoveTable({ moves }: { moves: Move[] }) {
  return (
    <table class="grid" id="moves">
      <thead><tr><th>#</th><th>app</th><th>from</th><th>to</th><th>moved</th><th>phase</th><th></th></tr></thead>
      <tbody>{moves.map((m) => (
        <tr key={m.namespace + m.deployment + m.target} data-app={m.app}>
          <td>{m.order + 1}</td><td>{m.namespace}/{m.app}</td><td>{m.source}</td><td>{m.target}{m.createsTarget ? ' (new)' : ''}</td>
          <td><progress max={m.total} value={m.moved} /> {m.moved} / {m.total}</td><td><Badge s={m.phase} /></td><td class="small">{m.error ?? ''}</td>
        </tr>
      ))}</tbody>
    </table>
  );
}

export function Migrations() {
  const [q, setQ] = useQuery();
  const list = useFetch<Migration[]>('/api/v1/migrations?limit=50', 5000);
  const clusters = useFetch<Cluster[]>('/api/v1/clusters', 30000);
  const idcs = [...new Set((clusters.data ?? []).map((c) => c.idc))];
  const [apps, setApps] = useState(q.get('apps') ?? '');
  const [batchSize, setBatchSize] = useState('');
  const [plan, setPlan] = useState<Plan>();
  const [error, setError] = useState<string>();
  const denied = mayOperate();
  const body = () => {
    const chosen = apps.split(',').map((s) => s.trim()).filter(Boolean).map((s) => {
      const [namespace, app] = s.includes('/') ? s.split('/') : ['default', s];
      return { namespace, app };
    });
    return { fromIdc: q.get('from'), toIdc: q.get('to'), ...(chosen.length ? { apps: chosen } : { allApps: true }),
      batchSize: batchSize ? parseInt(batchSize, 10) : undefined };
  };
  async function check(e: Event) {
    e.preventDefault();
    setError(undefined);
    try {
      setPlan(await api<Plan>('POST', '/api/v1/migrations', { ...body(), dryRun: true }));
    } catch (x) {
      setPlan(undefined);
      setError((x as Error).message);
    }
  }
  return (
    <>
      <h1>DR migrations</h1>
      <form class="stack" onSubmit={check} id="migration-form">
        <div class="filters">
          <Filter id="f-from" label="from IDC" value={q.get('from') ?? ''} list={idcs} onChange={(v) => setQ({ from: v })} />
          <Filter id="f-to" label="to IDC" value={q.get('to') ?? ''} list={idcs} onChange={(v) => setQ({ to: v })} />
        </div>
        <label>apps (<code>namespace/app</code>, comma-separated; empty: every app of the IDC by priority)
          <input name="apps" value={apps} onInput={(e) => setApps((e.target as HTMLInputElement).value)} /></label>
        <label>batch size (pods per step; empty: the default) <input name="batchSize" type="number" min={1} value={batchSize} onInput={(e) => setBatchSize((e.target as HTMLInputElement).value)} /></label>
        <button type="submit" id="plan-migration" disabled={!!denied || !q.get('from') || !q.get('to')} title={denied ?? 'choose both IDCs'}>Plan…</button>
      </form>
      <ErrorBox error={error} />
      {plan && (
        <section class="card" id="migration-plan">
          <h3>Plan {plan.fits ? <Badge s="fits" /> : <Badge s="does not fit" />}</h3>
          {plan.blockers.length > 0 && <ul class="warn-text">{plan.blockers.map((b) => <li key={b}>{b}</li>)}</ul>}
          {plan.fit.map((f) => <p key={f.cluster} class={f.fits ? '' : 'warn-text'}>{f.summary}</p>)}
          <MoveTable moves={plan.moves} />
          <Action id="start-migration" label={plan.fits ? 'Start the migration' : 'Start anyway (force)'} danger denied={denied}
            extra={<p class="muted">Make-before-break: each batch is Ready in the target before the source gives it up.</p>}
            run={async (reason) => {
              const m = await api<Migration>('POST', '/api/v1/migrations', { ...body(), force: !plan.fits || undefined, reason }, reason);
              navigate(`/migrations/${m.id}`);
            }} />
        </section>
      )}
      <h2>Migrations</h2>
      <Loading l={list}>{(ms) => (
        <table class="grid">
          <thead><tr><th>migration</th><th>state</th><th>apps</th><th>by</th><th>when</th></tr></thead>
          <tbody>{ms.map((m) => (
            <tr key={m.id}><td><Link href={`/migrations/${m.id}`}><Idc idc={m.fromIdc} /> → <Idc idc={m.toIdc} /></Link>{m.reverseOf ? ' (reverse)' : ''}</td>
              <td><Badge s={m.state} /></td><td>{m.allApps ? 'all' : new Set(m.moves.map((x) => x.app)).size}</td><td>{m.createdBy}</td><td><Time ts={m.createdAt} /></td></tr>
          ))}</tbody>
        </table>
      )}</Loading>
    </>
  );
}

export function MigrationPage({ id }: { id: string }) {
  const first = useFetch<Migration>(`/api/v1/migrations/${id}`, 0);
  const m = useStream<Migration>(`/api/v1/migrations/${id}/events`, first.data, (x) => !ACTIVE.includes(x.state), ['progress']);
  if (!m) return <Loading l={first}>{() => null}</Loading>;
  const denied = mayOperate();
  const ended = ACTIVE.includes(m.state) ? null : 'the migration has ended';
  const act = (a: string) => (reason: string) => api('POST', `/api/v1/migrations/${id}/${a}`, { reason }, reason);
  return (
    <>
      <h1>Migration <Idc idc={m.fromIdc} /> → <Idc idc={m.toIdc} /> <Badge s={m.state} /></h1>
      <p class="muted">by {m.createdBy} <Time ts={m.createdAt} />{m.reason ? ' — ' + m.reason : ''}{m.message ? ' · ' + m.message : ''}</p>
      <div class="row">
        <Action label="Pause" denied={denied} disabled={ended ?? (m.state === 'paused' ? 'already paused' : null)} run={act('pause')} />
        <Action label="Resume" denied={denied} disabled={ended ?? (m.state !== 'paused' ? 'only a paused migration resumes' : null)} run={act('resume')} />
        <Action label="Roll back" danger denied={denied} disabled={ended} run={act('rollback')} />
        <Action label="Abort" danger denied={denied} disabled={ended} run={act('abort')} />
        <Action label="Reverse (move back)" denied={denied} disabled={m.state === 'succeeded' ? null : 'only a finished migration is reversed'}
          run={async (reason) => navigate(`/migrations/${(await api<Migration>('POST', `/api/v1/migrations/${id}/reverse`, { reason }, reason)).id}`)} />
      </div>
      <MoveTable moves={m.moves} />
      <h2>Per cluster</h2>
      <table class="grid small">
        <thead><tr><th>cluster</th><th>role</th><th>apps</th><th>pods</th><th>to reconcile</th></tr></thead>
        <tbody>{m.report.map((r) => <tr key={r.cluster + r.role}><td>{r.cluster}</td><td>{r.role}</td><td>{r.apps}</td><td>{r.pods}</td><td>{r.toReconcile}</td></tr>)}</tbody>
      </table>
      <h2>History</h2>
      <table class="grid small">
        <thead><tr><th>when</th><th>who</th><th>what</th><th>app</th><th>source → target replicas</th></tr></thead>
        <tbody>{[...m.history].reverse().slice(0, 200).map((h, i) => (
          <tr key={i}><td><Time ts={h.at} /></td><td>{h.actor}</td><td>{h.what}</td><td>{h.app ?? ''}</td>
            <td>{h.source ? `${h.source} ${h.sourceReplicas ?? ''} → ${h.target} ${h.targetReplicas ?? ''}` : ''}</td></tr>
        ))}</tbody>
      </table>
    </>
  );
}

type AdviceItem = { id: number; state: string; stateActor: string | null; stateReason: string | null;
  advice: { kind: string; cluster: string; idc: string | null; namespace: string; app: string; current: number; suggested: number; unit: string; summary: string;
    confidenceLevel: string; rank: number; rankBy: string; evidence: unknown } };
type AdviceRun = { id: string; state: string; createdAt: string; finishedAt: string | null; actor: string; error: string | null };
const KINDS = ['cpu-up-vertical', 'cpu-up-horizontal', 'cpu-down-vertical', 'cpu-down-horizontal', 'memory-up-vertical', 'memory-down-vertical'];

export function Advice() {
  const [q, setQ] = useQuery();
  const runs = useFetch<AdviceRun[]>('/api/v1/advice/runs?limit=5', 10000);
  const list = useFetch<{ items: AdviceItem[]; run: AdviceRun }>(`/api/v1/advice${qs({ kind: q.get('kind'), app: q.get('app'), cluster: q.get('cluster'), state: q.get('state') ?? 'open' })}`, 15000);
  const denied = mayOperate();
  return (
    <>
      <h1>Resource advice</h1>
      <div class="row">
        <Action label="Run now" denied={denied} disabled={runs.data?.some((r) => r.state === 'RUNNING') ? 'a run is going on' : null}
          run={(reason) => api('POST', '/api/v1/advice/runs', { reason }, reason)} done={runs.reload} />
        {runs.data?.[0] && <span class="muted">last run <Badge s={runs.data[0].state.toLowerCase()} /> <Time ts={runs.data[0].createdAt} /> by {runs.data[0].actor}{runs.data[0].error ? ': ' + runs.data[0].error : ''}</span>}
      </div>
      <div class="filters">
        <Filter id="f-kind" label="kind" value={q.get('kind') ?? ''} list={KINDS} onChange={(v) => setQ({ kind: v })} />
        <Filter id="f-state" label="state" value={q.get('state') ?? 'open'} list={['open', 'done', 'dismissed']} onChange={(v) => setQ({ state: v })} />
        <Filter id="f-app" label="app" value={q.get('app') ?? ''} onChange={(v) => setQ({ app: v })} />
        <Filter id="f-cluster" label="cluster" value={q.get('cluster') ?? ''} onChange={(v) => setQ({ cluster: v })} />
      </div>
      <Loading l={list}>{(l) => l.items.length === 0 ? <p class="muted">No advice{l.run ? '' : ' yet: no run has finished'}.</p> : (
        <table class="grid" id="advice">
          <thead><tr><th>kind</th><th>app</th><th>cluster</th><th>now → suggested</th><th>confidence</th><th>why</th><th></th></tr></thead>
          <tbody>{l.items.map((i) => (
            <tr key={i.id}>
              <td><Badge s={i.advice.kind} /></td><td><Link href={`/apps/${encodeURIComponent(i.advice.app)}`}>{i.advice.namespace}/{i.advice.app}</Link></td>
              <td><Idc idc={i.advice.idc} /> {i.advice.cluster}</td><td>{i.advice.current} → <b>{i.advice.suggested}</b> {i.advice.unit}</td>
              <td>{i.advice.confidenceLevel}</td>
              <td class="small">{i.advice.summary}<details><summary>evidence</summary><pre>{JSON.stringify(i.advice.evidence, null, 1)}</pre></details></td>
              <td>{i.state === 'open' ? (
                <span class="row">
                  <Action label="Done" denied={denied} run={(reason) => api('POST', `/api/v1/advice/${i.id}/done`, { reason }, reason)} done={list.reload} />
                  <Action label="Dismiss" denied={denied} run={(reason) => api('POST', `/api/v1/advice/${i.id}/dismiss`, { reason }, reason)} done={list.reload} />
                </span>) : <span class="muted">{i.state} by {i.stateActor}: {i.stateReason}</span>}</td>
            </tr>
          ))}</tbody>
        </table>
      )}</Loading>
    </>
  );
}
