import { RequestList } from './requests.tsx';
import type { HttpFigures } from './types.ts';

const time = (at: number) => new Date(at).toISOString().slice(11, 23);

/** The REST side: each HTTP route in one line with its hits, failures and last request, and the request list. */
export function Http({ http, journal }: { http: HttpFigures; journal: boolean }) {
  return (
    <div>
      <h2>HTTP routes</h2>
      {http.routes.length === 0 ? (
        <p class="hint">No HTTP routes. Add them under <code>http.routes</code> in the config file, or with <code>POST /admin/http/routes</code>.</p>
      ) : (
        <table>
          <thead><tr><th>route</th><th>methods</th><th>path</th><th>does</th><th>hits</th><th>failures</th><th>last request</th></tr></thead>
          <tbody>
            {http.routes.map((r) => (
              <tr key={r.name}>
                <td>{r.name}</td>
                <td>{r.methods.join(', ')}</td>
                <td><code>{r.path}</code></td>
                <td class="explain" data-testid={`http-explain-${r.name}`}>{r.explain}</td>
                <td data-testid={`http-hits-${r.name}`}>{r.hits}</td>
                <td>{r.failures}</td>
                <td>{r.last === undefined ? '' : `${r.last.status} at ${time(r.last.at)} (${r.last.ms} ms)`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Requests <small>{http.requests} answered</small></h2>
      <RequestList journal={journal} recent={http.recent} />
    </div>
  );
}
