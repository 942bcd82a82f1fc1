import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import './style.css';

/** The caller's API token: from the URL fragment once (never sent to the server), then this tab's sessionStorage. */
function storedToken(): string {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const t = fragment.get('token');
  if (t) {
    sessionStorage.setItem('noah.token', t);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('noah.token') ?? '';
}

type Problem = { title?: string; detail?: string; code?: string };
type Created = { session: { id: string; container: string }; websocket: string };
type End = { type: 'end'; endedBy: string; exit: string; detail?: string };

const params = new URLSearchParams(location.search);
const target = {
  cluster: params.get('cluster') ?? '',
  namespace: params.get('namespace') ?? '',
  pod: params.get('pod') ?? '',
  container: params.get('container') ?? undefined,
};

function App() {
  const [token, setToken] = useState(storedToken());
  const [reason, setReason] = useState('');
  const [osUser, setOsUser] = useState(params.get('osUser') ?? '');
  const [record, setRecord] = useState(false);
  const [status, setStatus] = useState<{ text: string; bad?: boolean; state: 'idle' | 'connecting' | 'open' | 'ended' }>(
    { text: 'not connected', state: 'idle' });
  const screen = useRef<HTMLDivElement>(null);
  const live = useRef<{ term: Terminal; ws?: WebSocket; fit: FitAddon } | null>(null);

  useEffect(() => {
    const term = new Terminal({ cursorBlink: true, fontFamily: 'ui-monospace, monospace', fontSize: 14, scrollback: 5000 });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(screen.current!);
    fit.fit();
    live.current = { term, fit };
    const onResize = () => fit.fit();
    window.addEventListener('resize', onResize);
    term.onData((d) => live.current?.ws?.readyState === WebSocket.OPEN && live.current.ws.send('0' + d));
    term.onResize(({ cols, rows }) => live.current?.ws?.readyState === WebSocket.OPEN
      && live.current.ws.send('1' + JSON.stringify({ cols, rows })));
    return () => { window.removeEventListener('resize', onResize); live.current?.ws?.close(); term.dispose(); };
  }, []);

  async function connect(e: Event) {
    e.preventDefault();
    const l = live.current!;
    sessionStorage.setItem('noah.token', token);
    setStatus({ text: 'opening a session…', state: 'connecting' });
    const res = await fetch('/api/v1/terminals', {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...target, osUser: osUser || undefined, record, reason }),
    });
    if (res.status !== 201) {
      const p: Problem = await res.json().catch(() => ({}));
      setStatus({ text: `${res.status} ${p.code ?? ''}: ${p.detail ?? p.title ?? res.statusText}`, bad: true, state: 'idle' });
      return;
    }
    const created: Created = await res.json();
    l.fit.fit();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}${created.websocket}&cols=${l.term.cols}&rows=${l.term.rows}`);
    ws.binaryType = 'arraybuffer';
    l.ws = ws;
    ws.onopen = () => { setStatus({ text: `connected to ${created.session.container}`, state: 'open' }); l.term.focus(); };
    ws.onmessage = (m) => {
      if (typeof m.data === 'string') {
        const end: End = JSON.parse(m.data);
        if (end.type === 'end') {
          setStatus({ text: `ended (${end.endedBy}), exit ${end.exit}${end.detail ? ': ' + end.detail : ''}`,
            bad: end.endedBy !== 'exit', state: 'ended' });
        }
      } else {
        l.term.write(new Uint8Array(m.data as ArrayBuffer));
      }
    };
    ws.onclose = (c) => setStatus((s) => s.state === 'ended' ? s
      : { text: c.code === 1008 ? 'refused: ' + c.reason : `closed (${c.code})`, bad: true, state: 'ended' });
  }

  const busy = status.state === 'connecting' || status.state === 'open';
  return (
    <>
      <header>
        <strong>Noah</strong>
        <span class="target">{target.cluster}/{target.namespace}/{target.pod}{target.container ? '/' + target.container : ''}</span>
        <form onSubmit={connect}>
          {!storedToken() && <input id="token" type="password" placeholder="API token" value={token}
            onInput={(e) => setToken((e.target as HTMLInputElement).value)} />}
          <input id="reason" type="text" required placeholder="reason (audited)" value={reason}
            onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          <input id="os-user" type="text" placeholder="OS user (optional)" value={osUser} size={12}
            onInput={(e) => setOsUser((e.target as HTMLInputElement).value)} />
          <label><input id="record" type="checkbox" checked={record} onChange={(e) => setRecord((e.target as HTMLInputElement).checked)} /> record</label>
          <button id="connect" type="submit" disabled={busy || !reason || !token}>Connect</button>
        </form>
        <span id="status" class={'status' + (status.bad ? ' bad' : '')} data-state={status.state}>{status.text}</span>
      </header>
      <div class="screen" ref={screen} />
    </>
  );
}

render(<App />, document.getElementById('app')!);
