// Releases: the list, the start form with a plan preview, and a release's page (batch timeline, live counts, gates).
import { useEffect, useState } from 'preact/hooks';
import { api, mayActOnApp, qs } from '../api';
import { navigate, useQuery } from '../router';
import type { App, Cluster, Deployment, Page, Release } from '../types';
import { Action, Badge, ErrorBox, Filter, Link, Loading, Time, useFetch } from '../ui';

const ENDED = new Set(['succeeded', 'rolled_back', 'aborted']);
const STATES = ['running', 'waiting', 'paused', 'rolling_back', 'succeeded', 'rolled_back', 'aborted'];

export function Releases() {
  const [q, setQ] = useQuery();
  const list = useFetch<Release[]>(`/api/v1/releases${qs({ app: q.get('app'), state: q.get('state'), limit: 200 })}`, 5000);
  return (
    <>
      <h1>Releases</h1>
      <div class="filters">
        <Filter id="f-app" label="app" value={q.get('app') ?? ''} onChange={(v) => setQ({ app: v })} />
        <Filter id="f-state" label="state" value={q.get('state') ?? ''} list={STATES} onChange={(v) => setQ({ state: v })} />
        <Link href={`/releases/new${qs({ app: q.get('app') })}`} class="button">Start a release…</Link>
      </div>
      <Loading l={list}>{(rs) => (
        <table class="grid" id="releases">
          <thead><tr><th>app</th><th>version</th><th>state</th><th>step</th><th>by</th><th>started</th></tr></thead>
          <tbody>{rs.map((r) => (
            <tr key={r.id} data-release={r.id}>
              <td><Link href={`/apps/${encodeURIComponent(r.app)}`}>{r.namespace}/{r.app}</Link></td>
              <td><Link href={`/releases/${r.id}`}>{r.version}</Link></td>
              <td><Badge s={r.state} /></td><td>{r.step} / {r.lastStep}</td><td>{r.createdBy}</td><td><Time ts={r.createdAt} /></td>
            </tr>
          ))}</tbody>
        </table>
      )}</Loading>
    </>
  );
}

/**
 * The canary's replicas per pool after each step, as the server plans them: step 0 is the start; pools take their batches
 * one after the other (replica counts, or percentages of the pool's running replicas rounded up).
 */
export function previewPlan(batches: number[], unit: string, running: number[]): number[][] {
  const steps: number[][] = [running.map(() => 0)];
  running.forEach((r, j) => {
    let sum = 0;
    for (const b of batches) {
      sum += b;
      const n = unit === 'percent' ? Math.min(r, Math.ceil((Math.min(sum, 100) * r) / 100)) : Math.min(r, sum);
      steps.push(running.map((rr, k) => (k < j ? rr : k === j ? n : 0)));
    }
  });
  return steps;
}

export function NewRelease() {
  const [q] = useQuery();
  const [app, setApp] = useState(q.get('app') ?? '');
  const [namespace, setNamespace] = useState(q.get('namespace') ?? '');
  const [version, setVersion] = useState('');
  const [images, setImages] = useState('');
  const [pools, setPools] = useState<string[]>([]);
  const [batches, setBatches] = useState('1,1');
  const [unit, setUnit] = useState('replicas');
  const [gate, setGate] = useState('manual');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const clusters = useFetch<Cluster[]>('/api/v1/clusters', 0);
  const view = useFetch<App>(app ? `/api/v1/apps/${encodeURIComponent(app)}` : null, 0);
  const deps = useFetch<Page<Deployment>>(app ? `/api/v1/deployments${qs({ app, namespace })}` : null, 0);
  const denied = mayActOnApp(app);

  const appPools = [...new Set((view.data?.clusters ?? []).map((c) => clusters.data?.find((x) => x.name === c.cluster)?.pool).filter(Boolean) as string[])];
  useEffect(() => {
    if (!namespace && view.data?.clusters[0]?.deployments[0]) setNamespace(view.data.clusters[0].deployments[0].namespace);
    if (pools.length === 0 && appPools.length) setPools(appPools);
  }, [view.data, deps.data]);

  const nums = batches.split(',').map((s) => parseInt(s.trim(), 10)).filter((n) => n > 0);
  const runningPerPool = pools.map((p) => (deps.data?.items ?? [])
    .filter((d) => clusters.data?.find((c) => c.name === d.cluster)?.pool === p)
    .reduce((s, d) => s + d.replicas, 0));
  const plan = previewPlan(nums, unit, runningPerPool);

  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    const imageMap: Record<string, string> = {};
    for (const line of images.split('\n').map((l) => l.trim()).filter(Boolean)) {
      const i = line.indexOf('=');
      if (i < 1) { setError(`"${line}" is not container=image`); return; }
      imageMap[line.slice(0, i).trim()] = line.slice(i + 1).trim();
    }
    try {
      const r = await api<Release>('POST', '/api/v1/releases', { app, namespace, version, images: imageMap, pools, batches: nums, batchUnit: unit, gate, reason }, reason);
      navigate(`/releases/${r.id}`);
    } catch (x) {
      setError(String((x as Error).message));
    }
  }
  return (
    <>
      <h1>Start a release</h1>
      <form class="stack" id="new-release" onSubmit={submit}>
        <label>app <input name="app" required value={app} onChange={(e) => setApp((e.target as HTMLInputElement).value)} /></label>
        <label>namespace <input name="namespace" required value={namespace} onInput={(e) => setNamespace((e.target as HTMLInputElement).value)} /></label>
        <label>version <input name="version" required value={version} onInput={(e) => setVersion((e.target as HTMLInputElement).value)} /></label>
        <label>images (one <code>container=image</code> per line)
          <textarea name="images" rows={3} required placeholder={deps.data?.items[0] ? `now: ${deps.data.items[0].images.join(', ')}` : 'main=registry/app:2'} value={images} onInput={(e) => setImages((e.target as HTMLTextAreaElement).value)} /></label>
        <fieldset><legend>pools</legend>
          {appPools.map((p) => (
            <label key={p} class="inline"><input type="checkbox" name="pool" value={p} checked={pools.includes(p)}
              onChange={(e) => setPools((ps) => (e.target as HTMLInputElement).checked ? [...ps, p] : ps.filter((x) => x !== p))} /> {p}</label>
          ))}
          {appPools.length === 0 && <span class="muted">the app's pools appear here</span>}
        </fieldset>
        <label>batches <input name="batches" value={batches} onInput={(e) => setBatches((e.target as HTMLInputElement).value)} /></label>
        <label>unit <select name="unit" value={unit} onChange={(e) => setUnit((e.target as HTMLSelectElement).value)}>
          <option value="replicas">replicas</option><option value="percent">percent</option></select></label>
        <label>gate <select name="gate" value={gate} onChange={(e) => setGate((e.target as HTMLSelectElement).value)}>
          <option value="manual">manual: wait for promote after each batch</option><option value="auto">auto</option></select></label>
        <section>
          <h3>Plan preview</h3>
          <table class="grid" id="plan-preview">
            <thead><tr><th>pool (running now)</th>{plan.map((_, i) => <th key={i}>{i === 0 ? 'start' : 'step ' + i}</th>)}</tr></thead>
            <tbody>{pools.map((p, j) => (
              <tr key={p}><td>{p} ({runningPerPool[j]})</td>{plan.map((s, i) => <td key={i}>{s[j]} new / {runningPerPool[j] - s[j]} old</td>)}</tr>
            ))}</tbody>
          </table>
          {unit === 'replicas' && runningPerPool.some((r) => r !== nums.reduce((a, b) => a + b, 0)) &&
            <p class="warn-text">replica batches must add up to each pool's running replicas ({runningPerPool.join(', ')})</p>}
        </section>
        <label>reason <input name="reason" required minLength={3} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
        <ErrorBox error={error} />
        <button id="start-release" type="submit" disabled={!!denied} title={denied ?? undefined}>Start</button>
      </form>
    </>
  );
}

export function ReleasePage({ id }: { id: string }) {
  const rel = useFetch<Release>(`/api/v1/releases/${id}`, 2000);
  const r = rel.data;
  const ended = r ? ENDED.has(r.state) : false;
  useEffect(() => {
    if (ended) return;
    // transitions arrive at once over server-sent events (the session cookie authenticates the EventSource)
    const es = new EventSource(`/api/v1/releases/${id}/events`, { withCredentials: true });
    es.addEventListener('transition', () => rel.reload());
    return () => es.close();
  }, [id, ended]);
  return (
    <Loading l={rel}>{(r) => {
      const denied = mayActOnApp(r.app);
      const over = ENDED.has(r.state) ? 'the release has ended' : null;
      const act = (action: string, body: object = {}) => (reason: string) => api<Release>('POST', `/api/v1/releases/${r.id}/${action}`, { reason, ...body }, reason);
      const done = () => rel.reload();
      return (
        <>
          <h1>Release {r.namespace}/<Link href={`/apps/${encodeURIComponent(r.app)}`}>{r.app}</Link> → {r.version} <Badge s={r.state} /></h1>
          <p class="muted">started by {r.createdBy} <Time ts={r.createdAt} />{r.reason ? ` — ${r.reason}` : ''}</p>
          <div class="row gates" id="gates">
            <Action id="promote" label="Promote" denied={denied} disabled={over ?? (r.state !== 'waiting' ? 'promote needs a release waiting at a gate' : null)} run={act('promote')} done={done} />
            <Action id="pause" label="Pause" denied={denied} disabled={over ?? (r.state === 'paused' ? 'already paused' : null)} run={act('pause')} done={done} />
            <Action id="resume" label="Resume" denied={denied} disabled={over ?? (r.state !== 'paused' ? 'only a paused release resumes' : null)} run={act('resume')} done={done} />
            <Action id="rollback" label="Roll back" danger denied={denied} disabled={over} run={act('rollback')} done={done} />
            <Action id="fast-rollback" label="Fast rollback" danger denied={denied} disabled={over} run={act('rollback', { fast: true })} done={done}
              extra={<p class="muted">Everything back in one step, not batch by batch.</p>} />
            <Action id="abort" label="Abort" danger denied={denied} disabled={over} run={act('abort')} done={done}
              extra={<p class="muted">Stops here and leaves both Deployments as they are.</p>} />
          </div>
          <section>
            <h2>Plan: new replicas per pool after each step</h2>
            <table class="grid timeline" id="timeline">
              <thead><tr><th>pool</th>{r.plan.map((_, i) => <th key={i} class={i === r.step ? 'current' : i < r.step ? 'past' : ''}>{i === 0 ? 'start' : 'step ' + i}</th>)}</tr></thead>
              <tbody>{r.pools.map((p, j) => (
                <tr key={p.pool}><td>{p.pool}</td>{r.plan.map((s, i) => <td key={i} class={i === r.step ? 'current' : i < r.step ? 'past' : ''}>{s[j] ?? '—'}</td>)}</tr>
              ))}</tbody>
            </table>
          </section>
          <section>
            <h2>Deployments <span class="muted">(live)</span></h2>
            <table class="grid" id="counts">
              <thead><tr><th>pool</th><th>running: ready / desired (target)</th><th>canary: ready / desired (target)</th></tr></thead>
              <tbody>{r.pools.map((p) => (
                <tr key={p.pool} data-pool={p.pool}>
                  <td>{p.pool}</td>
                  <td class="running" data-ready={p.running?.ready ?? 0} data-desired={p.running?.desired ?? 0}>{p.running ? `${p.running.ready} / ${p.running.desired}` : '—'} ({p.targetRunning})</td>
                  <td class="canary" data-ready={p.canary?.ready ?? 0} data-desired={p.canary?.desired ?? 0}>{p.canary ? `${p.canary.ready} / ${p.canary.desired}` : '—'} ({p.targetCanary})</td>
                </tr>
              ))}</tbody>
            </table>
          </section>
          <section>
            <h2>History</h2>
            <table class="grid" id="history">
              <thead><tr><th>when</th><th>who</th><th>what</th><th>step</th><th>reason</th></tr></thead>
              <tbody>{[...r.history].reverse().map((e) => (
                <tr key={e.id}><td><Time ts={e.at} /></td><td>{e.actor}</td><td>{e.type} <span class="muted">{e.from ?? ''} → {e.to}</span></td><td>{e.step}</td><td>{e.reason ?? ''}</td></tr>
              ))}</tbody>
            </table>
          </section>
          <ErrorBox error={rel.error} />
        </>
      );
    }}</Loading>
  );
}
