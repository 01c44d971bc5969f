import { render } from 'preact';
import { useState } from 'preact/hooks';
import { Clients } from './clients.tsx';
import { Compose } from './compose.tsx';
import { Http } from './http.tsx';
import { useLive } from './live.ts';
import { Overview } from './overview.tsx';
import { StatePanel } from './state.tsx';
import { Streams } from './streams.tsx';

const TABS = ['Overview', 'Clients', 'Streams', 'HTTP', 'State', 'Compose'] as const;
type Tab = (typeof TABS)[number];

function App() {
  const { snapshot, history, connected } = useLive();
  const [tab, setTab] = useState<Tab>('Overview');
  const [selected, setSelected] = useState<string | undefined>(undefined);
  if (snapshot === undefined) return <p class="hint">Connecting to mockwave…</p>;
  const rate = history[history.length - 1];
  const out = rate === undefined ? 0 : Object.values(rate.out).reduce((a, b) => a + b, 0);
  // One count for the header and the Clients tab: every connected client, WebSocket (proxied ones too) and
  // Server-Sent Events, as the Clients tab lists them.
  const { connectedClients, sseClients } = snapshot.stats;
  const clients = connectedClients + sseClients;
  return (
    <>
      <header>
        <h1>mockwave <small>{snapshot.server.version}</small></h1>
        <span data-testid="total-clients" title="connected clients: WebSocket (proxied ones included) and Server-Sent Events">{clients} clients</span>
        <small data-testid="client-kinds">{connectedClients} WebSocket · {sseClients} SSE</small>
        <span>{Math.round(out)} messages/s out</span>
        <span>up {Math.round(snapshot.server.uptimeMs / 1000)} s</span>
        <span class={connected ? 'live' : 'offline'}>{connected ? '● live' : '○ reconnecting'}</span>
      </header>
      <nav>
        {TABS.map((t) => (
          <button key={t} class={t === tab ? 'active' : ''} onClick={() => setTab(t)}>
            {t}{t === 'Clients' ? ` (${clients})` : ''}
          </button>
        ))}
      </nav>
      <main>
        {tab === 'Overview' && <Overview snapshot={snapshot} history={history} />}
        {tab === 'Clients' && <Clients clients={snapshot.clients} selected={selected} onSelect={setSelected} />}
        {tab === 'Streams' && <Streams streams={snapshot.streams} />}
        {tab === 'HTTP' && <Http http={snapshot.stats.http} journal={snapshot.journal} />}
        {tab === 'State' && <StatePanel />}
        {tab === 'Compose' && <Compose snapshot={snapshot} initialClient={selected} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
