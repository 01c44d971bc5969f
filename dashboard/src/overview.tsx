import { RateChart } from './chart.tsx';
import type { RatePoint } from './live.ts';
import type { Snapshot } from './types.ts';

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(1));

export function Overview({ snapshot, history }: { snapshot: Snapshot; history: RatePoint[] }) {
  const latest = history[history.length - 1];
  const routes = Object.entries(snapshot.stats.proxyRoutes ?? {});
  const rules = snapshot.stats.endpoints.flatMap((e) => e.rules.map((r) => ({ endpoint: e.endpoint, ...r })));
  return (
    <div>
      <h2>Endpoints</h2>
      <table>
        <thead>
          <tr><th>endpoint</th><th>dialect</th><th>URL</th><th>clients</th><th>in/s</th><th>out/s</th><th>dropped</th></tr>
        </thead>
        <tbody>
          {snapshot.stats.endpoints.map((e) => {
            const info = snapshot.server.endpoints.find((s) => s.path === e.endpoint);
            return (
              <tr key={e.endpoint}>
                <td><code>{e.endpoint}</code></td>
                <td>{info?.dialect}</td>
                <td><code>{info?.url}</code></td>
                <td data-testid={`clients-${e.endpoint}`}>{e.connections}</td>
                <td>{fmt(latest?.in[e.endpoint] ?? 0)}</td>
                <td>{fmt(latest?.out[e.endpoint] ?? 0)}</td>
                <td>{e.dropped}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {snapshot.stats.connectedClients === 0 && snapshot.server.endpoints[0] !== undefined && (
        <p class="hint" data-testid="getting-started">
          No client yet. Point your app at <code>{snapshot.server.endpoints[0].url}</code>, or try from a browser console:{' '}
          <code>{`const ws = new WebSocket('${snapshot.server.endpoints[0].url}'); ws.onmessage = (m) => console.log(m.data);`}</code>
          {snapshot.streams[0] !== undefined && <> then <code>{`ws.send('{"type":"subscribe","event":"${snapshot.streams[0].name}"}')`}</code></>}
        </p>
      )}
      <RateChart history={history} endpoints={snapshot.stats.endpoints.map((e) => e.endpoint)} />
      <h2>Streams</h2>
      <table>
        <thead>
          <tr><th>stream</th><th>endpoint</th><th>schedule</th><th>subscribers</th><th>ticks</th><th>last payload</th></tr>
        </thead>
        <tbody>
          {snapshot.streams.map((s) => (
            <tr key={`${s.endpoint} ${s.name}`}>
              <td>{s.name}{s.paused ? ' (paused)' : ''}</td>
              <td><code>{s.endpoint}</code></td>
              <td>{s.schedule}</td>
              <td>{s.subscribers}</td>
              <td>{s.ticks}</td>
              <td class="payload"><code>{s.last === undefined ? '' : JSON.stringify(s.last.length === 1 ? s.last[0] : s.last)}</code></td>
            </tr>
          ))}
        </tbody>
      </table>
      {rules.length > 0 && (
        <>
          <h2>Rules</h2>
          <table>
            <thead><tr><th>rule</th><th>endpoint</th><th>does</th><th>messages matched</th><th>failures</th></tr></thead>
            <tbody>
              {rules.map((r) => (
                <tr key={`${r.endpoint} ${r.name}`}><td>{r.name}</td><td><code>{r.endpoint}</code></td><td class="explain" data-testid={`rule-explain-${r.name}`}>{r.explain}</td><td data-testid={`rule-hits-${r.name}`}>{r.hits}</td><td>{r.failures}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {routes.length > 0 && (
        <>
          <h2>Proxy routes</h2>
          <table>
            <thead><tr><th>route</th><th>live connections</th><th>connections</th><th>failures</th><th>left before upstream</th><th>dropped</th></tr></thead>
            <tbody>
              {routes.map(([name, r]) => (
                <tr key={name}><td>{name}</td><td>{r.active}</td><td>{r.connections}</td><td>{r.failures}</td><td>{r.clientGoneEarly}</td><td>{r.dropped}</td></tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}
