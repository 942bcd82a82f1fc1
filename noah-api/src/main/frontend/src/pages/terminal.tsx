// A terminal into one container (xterm.js over Noah's websocket): loaded only when this page opens.
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import '@xterm/xterm/css/xterm.css';
import { api, ApiError, mayActOnApp } from '../api';
import { useQuery } from '../router';

type Created = { session: { id: string; container: string }; websocket: string };
type End = { type: 'end'; endedBy: string; exit: string; detail?: string };

export default function TerminalPage() {
  const [q] = useQuery();
  const target = { cluster: q.get('cluster') ?? '', namespace: q.get('namespace') ?? '', pod: q.get('pod') ?? '', container: q.get('container') ?? undefined };
  const [reason, setReason] = useState('');
  const [osUser, setOsUser] = useState(q.get('osUser') ?? '');
  const [record, setRecord] = useState(false);
  const [status, setStatus] = useState<{ text: string; bad?: boolean; state: 'idle' | 'connecting' | 'open' | 'ended' }>({ text: 'not connected', state: 'idle' });
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
    term.onResize(({ cols, rows }) => live.current?.ws?.readyState === WebSocket.OPEN && live.current.ws.send('1' + JSON.stringify({ cols, rows })));
    return () => { window.removeEventListener('resize', onResize); live.current?.ws?.close(); term.dispose(); };
  }, []);

  async function connect(e: Event) {
    e.preventDefault();
    const l = live.current!;
    setStatus({ text: 'opening a session…', state: 'connecting' });
    let created: Created;
    try {
      // the session cookie authenticates this call; the websocket then presents the one-time ticket it returns
      created = await api<Created>('POST', '/api/v1/terminals', { ...target, osUser: osUser || undefined, record, reason }, reason);
    } catch (x) {
      setStatus({ text: x instanceof ApiError ? x.message : String(x), bad: true, state: 'idle' });
      return;
    }
    l.fit.fit();
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}${created.websocket}&cols=${l.term.cols}&rows=${l.term.rows}`);
    ws.binaryType = 'arraybuffer';
    l.ws = ws;
    ws.onopen = () => { setStatus({ text: `connected to ${created.session.container}`, state: 'open' }); l.term.focus(); };
    ws.onmessage = (m) => {
      if (typeof m.data === 'string') {
        const end: End = JSON.parse(m.data);
        if (end.type === 'end') setStatus({ text: `ended (${end.endedBy}), exit ${end.exit}${end.detail ? ': ' + end.detail : ''}`, bad: end.endedBy !== 'exit', state: 'ended' });
      } else {
        l.term.write(new Uint8Array(m.data as ArrayBuffer));
      }
    };
    ws.onclose = (c) => setStatus((s) => s.state === 'ended' ? s : { text: c.code === 1008 ? 'refused: ' + c.reason : `closed (${c.code})`, bad: true, state: 'ended' });
  }

  const busy = status.state === 'connecting' || status.state === 'open';
  const denied = mayActOnApp(q.get('app') ?? null) === 'viewers may only look' ? 'viewers may not open terminals' : null;
  return (
    <div class="terminal-page">
      <div class="row">
        <span class="mono">{target.cluster}/{target.namespace}/{target.pod}{target.container ? '/' + target.container : ''}</span>
        <form class="row" onSubmit={connect}>
          <input id="reason" type="text" required placeholder="reason (audited)" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          <input id="os-user" type="text" placeholder="OS user (optional)" value={osUser} size={12} onInput={(e) => setOsUser((e.target as HTMLInputElement).value)} />
          <label><input id="record" type="checkbox" checked={record} onChange={(e) => setRecord((e.target as HTMLInputElement).checked)} /> record</label>
          <button id="connect" type="submit" disabled={busy || !reason || !!denied} title={denied ?? undefined}>Connect</button>
        </form>
        <span id="status" class={'status' + (status.bad ? ' bad' : '')} data-state={status.state}>{status.text}</span>
      </div>
      <div class="screen" ref={screen} />
    </div>
  );
}
