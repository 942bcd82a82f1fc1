// Batch exec (a job form, grouped results with live progress) and nodes (by cluster and rack, bulk cordon/drain with a preflight).
import { useEffect, useState } from 'preact/hooks';
import { api, mayActOnApp, mayOperate, qs } from '../api';
import { navigate, useQuery } from '../router';
import type { Cluster, ExecJob, Node, NodeOp, Page } from '../types';
import { Action, Badge, ErrorBox, Filter, Link, Loading, Time, useFetch } from '../ui';

/** A job's or operation's state, pushed over server-sent events (the session cookie authenticates) until it ends. */
export function useStream<T>(path: string, initial: T | undefined, ended: (t: T) => boolean, names: string[]): T | undefined {
  const [v, setV] = useState<T | undefined>(initial);
  useEffect(() => setV(initial), [initial]);
  useEffect(() => {
    if (!initial || ended(initial)) return;
    const es = new EventSource(path, { withCredentials: true });
    const on = (m: MessageEvent) => {
      const next = JSON.parse(m.data) as T;
      setV((old) => ({ ...old, ...next }));
      if (ended(next)) es.close();
    };
    names.forEach((n) => es.addEventListener(n, on as EventListener));
    return () => es.close();
  }, [path, initial === undefined]);
  return v;
}

export function ExecJobs() {
  const [q, setQ] = useQuery();
  const jobs = useFetch<ExecJob[]>('/api/v1/exec-jobs?limit=50', 5000);
  const [command, setCommand] = useState(q.get('command') ?? '');
  const [osUser, setOsUser] = useState('');
  const [timeout, setTimeoutS] = useState('30');
  const [fanOut, setFanOut] = useState('20');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const app = q.get('app') ?? '';
  const denied = mayActOnApp(app || null) && mayOperate();
  async function submit(e: Event) {
    e.preventDefault();
    setError(undefined);
    try {
      const targets = { app: app || undefined, namespace: q.get('namespace') || undefined, labelSelector: q.get('selector') || undefined,
        clusters: q.get('cluster') ? [q.get('cluster')] : undefined };
      const job = await api<ExecJob>('POST', '/api/v1/exec-jobs', { targets, command: ['sh', '-c', command], reason, osUser: osUser || undefined,
        timeoutSeconds: parseInt(timeout, 10), fanOut: parseInt(fanOut, 10) }, reason);
      navigate(`/exec/${job.id}`);
    } catch (x) {
      setError((x as Error).message);
    }
  }
  return (
    <>
      <h1>Batch exec</h1>
      <form class="stack" id="exec-form" onSubmit={submit}>
        <div class="filters">
          <Filter id="f-app" label="app" value={app} onChange={(v) => setQ({ app: v })} />
          <Filter id="f-namespace" label="namespace" value={q.get('namespace') ?? ''} onChange={(v) => setQ({ namespace: v })} />
          <Filter id="f-selector" label="label selector" value={q.get('selector') ?? ''} onChange={(v) => setQ({ selector: v })} />
          <Filter id="f-cluster" label="cluster" value={q.get('cluster') ?? ''} onChange={(v) => setQ({ cluster: v })} />
        </div>
        <label>command (run by <code>sh -c</code>) <input name="command" required class="mono" value={command} onInput={(e) => setCommand((e.target as HTMLInputElement).value)} /></label>
        <div class="row">
          <label>OS user <input name="osUser" size={10} value={osUser} onInput={(e) => setOsUser((e.target as HTMLInputElement).value)} /></label>
          <label>timeout (s) <input name="timeout" type="number" min={1} value={timeout} onInput={(e) => setTimeoutS((e.target as HTMLInputElement).value)} /></label>
          <label>fan-out <input name="fanOut" type="number" min={1} value={fanOut} onInput={(e) => setFanOut((e.target as HTMLInputElement).value)} /></label>
        </div>
        <label>reason <input name="reason" required minLength={3} value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} /></label>
        <ErrorBox error={error} />
        <button id="run-exec" type="submit" disabled={!!denied || !command || (!app && !q.get('selector'))} title={denied ?? 'choose an app or a label selector'}>Run</button>
      </form>
      <h2>Recent jobs</h2>
      <Loading l={jobs}>{(js) => (
        <table class="grid">
          <thead><tr><th>job</th><th>state</th><th>done</th><th>by</th><th>when</th></tr></thead>
          <tbody>{js.map((j) => (
            <tr key={j.id}><td><Link href={`/exec/${j.id}`} class="mono">{j.command.join(' ')}</Link></td><td><Badge s={j.state} /></td>
              <td>{j.finished} / {j.total}</td><td>{j.createdBy}</td><td><Time ts={j.createdAt} /></td></tr>
          ))}</tbody>
        </table>
      )}</Loading>
    </>
  );
}

export function ExecJobPage({ id }: { id: string }) {
  const first = useFetch<ExecJob>(`/api/v1/exec-jobs/${id}`, 0);
  const job = useStream<ExecJob>(`/api/v1/exec-jobs/${id}/events`, first.data, (j) => j.state !== 'running', ['progress', 'result']);
  const full = useFetch<ExecJob>(job && job.state !== 'running' ? `/api/v1/exec-jobs/${id}` : null, 0);
  const j = full.data ?? job;
  if (!j) return <Loading l={first}>{() => null}</Loading>;
  return (
    <>
      <h1>Batch exec <span class="mono">{j.command.join(' ')}</span> <Badge s={j.state} /></h1>
      <p class="muted">by {j.createdBy} <Time ts={j.createdAt} /> — {j.reason}</p>
      <div class="row" id="exec-progress" data-finished={j.finished} data-total={j.total}>
        <progress max={j.total} value={j.finished} /> {j.finished} / {j.total} pods · peak {j.peakConcurrency} at once (fan-out {j.fanOut})
        {Object.entries(j.counts).map(([k, v]) => <span key={k}><Badge s={k} /> {v}</span>)}
        <Action label="Cancel" danger denied={mayOperate() && mayActOnApp(null)} disabled={j.state !== 'running' ? 'the job has ended' : null}
          run={(reason) => api('POST', `/api/v1/exec-jobs/${id}/cancel`, { reason }, reason)} />
      </div>
      {j.groups && (
        <section id="exec-groups">
          <h2>Results by outcome</h2>
          {j.groups.map((g, i) => (
            <div key={i} class="card group" data-count={g.count}>
              <div class="row"><b>{g.count} pod{g.count === 1 ? '' : 's'}</b> <Badge s={g.outcome} />{g.exitCode !== null && <span>exit {g.exitCode}</span>}
                {g.truncated && <Badge s="truncated" />}{g.reason && <span class="muted">{g.reason}</span>}</div>
              <div class="mono muted">{g.pods}</div>
              {g.stdout && <pre>{g.stdout}</pre>}
              {g.stderr && <pre class="stderr">{g.stderr}</pre>}
              {i > 0 && g.diff.length > 0 && <details><summary>diff against the largest group</summary><pre>{g.diff.join('\n')}</pre></details>}
            </div>
          ))}
        </section>
      )}
    </>
  );
}

const RACK = 'rack';

type PodMove = { namespace: string; pod: string; reason: string | null; pdb: string | null; cpuMilli: number; memoryBytes: number };
type Preflight = { action: string; nodes: { cluster: string; node: string; rack: string; evict: PodMove[]; blocked: PodMove[]; skipped: PodMove[] }[];
  capacity: { cluster: string; pods: number; placeable: number; shortCpuMilli: number; shortMemoryBytes: number; fits: boolean }[] };

const podList = (ps: PodMove[]) => ps.length === 0 ? <span class="muted">—</span>
  : <span title={ps.map((p) => `${p.namespace}/${p.pod}${p.reason ? ': ' + p.reason : ''}`).join('\n')}>{ps.length}: {ps.slice(0, 3).map((p) => p.pod).join(', ')}{ps.length > 3 ? '…' : ''}</span>;

/** What the operation would do, node by node, and whether the pods to move fit elsewhere in their cluster. */
function PreflightView({ p }: { p: Preflight }) {
  return (
    <>
      <table class="grid small" id="preflight-nodes">
        <thead><tr><th>cluster</th><th>rack</th><th>node</th><th>pods to evict</th><th>blocked (PDB, no controller…)</th><th>left alone (DaemonSet…)</th></tr></thead>
        <tbody>{p.nodes.map((n) => (
          <tr key={n.cluster + n.node}><td>{n.cluster}</td><td>{n.rack}</td><td>{n.node}</td><td>{podList(n.evict)}</td>
            <td class={n.blocked.length ? 'warn-text' : ''}>{n.blocked.length ? n.blocked.map((b) => `${b.pod}: ${b.reason ?? ''}${b.pdb ? ' (' + b.pdb + ')' : ''}`).join('; ') : '—'}</td>
            <td>{podList(n.skipped)}</td></tr>
        ))}</tbody>
      </table>
      {p.capacity.map((c) => (
        <p key={c.cluster} class={c.fits ? '' : 'warn-text'}>{c.cluster}: {c.placeable} of {c.pods} pods to move fit on the other nodes
          {c.fits ? '' : ` — short by ${c.shortCpuMilli}m CPU and ${Math.ceil(c.shortMemoryBytes / 1048576)} Mi memory`}</p>
      ))}
    </>
  );
}

export function Nodes() {
  const [q, setQ] = useQuery();
  const clusters = useFetch<Cluster[]>('/api/v1/clusters', 30000);
  const cluster = q.get('cluster') ?? '';
  const nodes = useFetch<Page<Node>>(`/api/v1/nodes${qs({ cluster, labelSelector: q.get('selector') })}`, 10000);
  const ops = useFetch<NodeOp[]>('/api/v1/node-operations?limit=20', 5000);
  // the selection is in the URL too (?sel=cluster/node,…): a link hands a prepared selection to a colleague
  const selected = new Set((q.get('sel') ?? '').split(',').filter(Boolean));
  const [preflight, setPreflight] = useState<{ action: string; body: unknown } | null>(null);
  const [error, setError] = useState<string>();
  const denied = mayOperate();
  const key = (n: Node) => n.cluster + '/' + n.name;
  const groups = new Map<string, Node[]>();
  for (const n of nodes.data?.items ?? []) {
    const g = n.cluster + ' · rack ' + (n.labels[RACK] ?? '—');
    groups.set(g, [...(groups.get(g) ?? []), n]);
  }
  const chosen = (nodes.data?.items ?? []).filter((n) => selected.has(key(n)));
  const request = (action: string) => ({ action, clusters: [...new Set(chosen.map((n) => n.cluster))], nodes: [...new Set(chosen.map((n) => n.name))] });
  async function check(action: string) {
    setError(undefined);
    try {
      const body = { ...request(action), dryRun: true };
      setPreflight({ action, body: await api('POST', '/api/v1/node-operations', body) });
    } catch (x) {
      setError((x as Error).message);
    }
  }
  const toggle = (keys: string[], on: boolean) => {
    const n = new Set(selected);
    keys.forEach((k) => (on ? n.add(k) : n.delete(k)));
    setQ({ sel: [...n].sort().join(',') });
  };
  return (
    <>
      <h1>Nodes</h1>
      <div class="filters">
        <Filter id="f-cluster" label="cluster" value={cluster} list={(clusters.data ?? []).map((c) => c.name)} onChange={(v) => setQ({ cluster: v })} />
        <Filter id="f-selector" label="label selector" value={q.get('selector') ?? ''} onChange={(v) => setQ({ selector: v })} />
      </div>
      <div class="row sticky" id="node-actions">
        <span>{chosen.length} selected</span>
        {['cordon', 'uncordon', 'drain'].map((a) => (
          <button key={a} id={'preflight-' + a} disabled={!!denied || chosen.length === 0} title={denied ?? (chosen.length ? 'preflight first' : 'select nodes')} onClick={() => check(a)}>{a}…</button>
        ))}
      </div>
      <ErrorBox error={error} />
      {preflight && (
        <div class="card" id="preflight">
          <h3>Preflight: {preflight.action} {chosen.length} node(s)</h3>
          <PreflightView p={preflight.body as Preflight} />
          <div class="row">
            <button class="secondary" onClick={() => setPreflight(null)}>Cancel</button>
            <Action id="confirm-node-op" label={'Start ' + preflight.action} danger={preflight.action === 'drain'} denied={denied}
              run={async (reason) => {
                const op = await api<NodeOp>('POST', '/api/v1/node-operations', { ...request(preflight.action), reason }, reason);
                navigate(`/nodes/operations/${op.id}`);
              }} />
          </div>
        </div>
      )}
      <Loading l={nodes}>{() => (
        <div id="node-groups">
          {[...groups.entries()].map(([g, ns]) => (
            <div key={g} class="card">
              <h3><label><input type="checkbox" checked={ns.every((n) => selected.has(key(n)))}
                onChange={(e) => toggle(ns.map(key), (e.target as HTMLInputElement).checked)} /> {g}</label></h3>
              <div class="nodes">{ns.map((n) => (
                <label key={key(n)} class={'node' + (n.ready ? '' : ' bad') + (n.unschedulable ? ' cordoned' : '')} title={`${n.cpu ?? '?'} CPU, ${n.memory ?? '?'} memory, ${n.kubeletVersion ?? ''}`}>
                  <input type="checkbox" checked={selected.has(key(n))} onChange={(e) => toggle([key(n)], (e.target as HTMLInputElement).checked)} />
                  {n.name} {n.unschedulable && <Badge s="cordoned" />}{!n.ready && <Badge s="not ready" />}
                </label>
              ))}</div>
            </div>
          ))}
        </div>
      )}</Loading>
      <h2>Operations</h2>
      <Loading l={ops}>{(os) => (
        <table class="grid">
          <thead><tr><th>operation</th><th>state</th><th>nodes</th><th>by</th><th>when</th></tr></thead>
          <tbody>{os.map((o) => (
            <tr key={o.id}><td><Link href={`/nodes/operations/${o.id}`}>{o.action}</Link></td><td><Badge s={o.state} /></td><td>{o.nodes.length}</td><td>{o.createdBy}</td><td><Time ts={o.createdAt} /></td></tr>
          ))}</tbody>
        </table>
      )}</Loading>
    </>
  );
}

export function NodeOpPage({ id }: { id: string }) {
  const first = useFetch<NodeOp>(`/api/v1/node-operations/${id}`, 0);
  const op = useStream<NodeOp>(`/api/v1/node-operations/${id}/events`, first.data, (o) => !['running', 'paused'].includes(o.state), ['progress']);
  if (!op) return <Loading l={first}>{() => null}</Loading>;
  const denied = mayOperate();
  const ended = ['running', 'paused'].includes(op.state) ? null : 'the operation has ended';
  const act = (a: string) => (reason: string) => api('POST', `/api/v1/node-operations/${id}/${a}`, { reason }, reason);
  return (
    <>
      <h1>{op.action} of {op.nodes.length} nodes <Badge s={op.state} /></h1>
      <p class="muted">by {op.createdBy} <Time ts={op.createdAt} />{op.reason ? ' — ' + op.reason : ''}{op.message ? ' · ' + op.message : ''}</p>
      <div class="row">
        <Action label="Pause" denied={denied} disabled={ended ?? (op.state === 'paused' ? 'already paused' : null)} run={act('pause')} />
        <Action label="Resume" denied={denied} disabled={ended ?? (op.state !== 'paused' ? 'only a paused operation resumes' : null)} run={act('resume')} />
        <Action label="Abort" danger denied={denied} disabled={ended} run={act('abort')} />
      </div>
      <table class="grid" id="node-op">
        <thead><tr><th>cluster</th><th>rack</th><th>node</th><th>phase</th><th>evicted</th><th>blocked by</th></tr></thead>
        <tbody>{op.nodes.map((n) => (
          <tr key={n.cluster + n.node}><td>{n.cluster}</td><td>{n.rack}</td><td>{n.node}</td><td><Badge s={n.phase} /></td><td>{n.evicted}</td>
            <td>{n.blocked.join(', ')}{n.error ? ' ' + n.error : ''}</td></tr>
        ))}</tbody>
      </table>
    </>
  );
}


