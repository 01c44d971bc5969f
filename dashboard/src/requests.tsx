import { useEffect, useRef, useState } from 'preact/hooks';
import { api, liveUrl } from './api.ts';
import { Controls } from './controls.tsx';
import { bytes, clock, pretty, useRows, type Keyed } from './rows.ts';
import type { HttpRequestRecord, LogBatch, LoggedRequest } from './types.ts';
import { VirtualList } from './virtual-list.tsx';

const LIST_LIMIT = 2000;

/**
 * A row of the list: the server's row from the journal (`seq`), or, while it is off, one made from the HTTP
 * side's recent list (no `seq`); a `close` never is a row of its own (it goes on its upgrade's row).
 */
type RequestRow = Omit<LoggedRequest, 'seq' | 'kind'> & { readonly seq?: number; readonly kind: Exclude<LoggedRequest['kind'], 'close'> };

const fromRecord = (r: HttpRequestRecord): RequestRow => ({
  at: r.at, kind: r.protocol === undefined ? 'request' : r.status < 400 ? 'open' : 'refuse', protocol: r.protocol ?? 'http', method: r.method, path: r.path, status: r.status,
  ...(r.protocol === undefined ? { ms: r.ms } : {}), ...(r.route === undefined ? {} : { route: r.route }), ...(r.client === undefined ? {} : { client: r.client }),
});

/** The end of a connection goes onto its upgrade's row (its timing); anything else is a row of its own. */
function merge(rows: readonly Keyed<RequestRow | LoggedRequest>[], row: RequestRow | LoggedRequest): Keyed<RequestRow>[] | undefined {
  if (!('kind' in row) || row.kind !== 'close') return undefined;
  return rows.map((r) => (r.row.kind === 'open' && r.row.client === row.client ? { key: r.key, row: { ...(r.row as RequestRow), closed: { at: row.at, code: row.status, ...(row.reason === undefined ? {} : { reason: row.reason }) } } } : r)) as Keyed<RequestRow>[];
}

const TYPES = { http: 'fetch', websocket: 'websocket', sse: 'eventsource' } as const;

/** Who answered: the route, the fallback, nobody (404), or the door of a connection. */
function answeredBy(row: RequestRow): string {
  if (row.route !== undefined) return row.route;
  if (row.protocol !== 'http') return row.kind === 'refuse' || row.status >= 400 ? 'refused' : row.protocol === 'websocket' ? 'WebSocket endpoint' : 'SSE endpoint';
  if (row.kind === 'refuse') return 'refused';
  return row.status === 404 ? 'no route' : row.method === 'OPTIONS' ? 'preflight' : 'fallback';
}

const timing = (row: RequestRow): string => (row.closed !== undefined ? `${row.closed.at - row.at} ms` : row.protocol !== 'http' && row.status < 400 ? 'open' : row.ms === undefined ? '—' : `${row.ms} ms`);

function Headers({ title, headers }: { title: string; headers: Readonly<Record<string, string>> | undefined }) {
  const entries = Object.entries(headers ?? {});
  return (
    <>
      <h3>{title}</h3>
      {entries.length === 0 ? <p class="meta">none kept</p> : <table class="headers"><tbody>{entries.map(([name, value]) => <tr key={name}><th>{name}</th><td>{value}</td></tr>)}</tbody></table>}
    </>
  );
}

type Payload = { json?: unknown; text?: string; base64?: string };
const shown = (p: Payload | undefined): string => (p?.json !== undefined ? pretty(JSON.stringify(p.json)) : p?.text !== undefined ? pretty(p.text) : p?.base64 !== undefined ? `base64 ${p.base64}` : '(none kept)');
interface Entry { seq: number; request?: { headers: Record<string, string> } & Payload; response?: { status: number; ms: number; headers?: Record<string, string> } & Payload }

/** A row's headers, bodies and timing: the journal's own entry (masked), read on click. */
function Detail({ row, journal }: { row: RequestRow; journal: boolean }) {
  const [entry, setEntry] = useState<Entry | undefined>(undefined);
  useEffect(() => {
    setEntry(undefined);
    if (row.seq === undefined || (row.kind !== 'request' && row.kind !== 'open')) return;
    void api<{ entries: Entry[] }>('GET', `/admin/journal?since=${row.seq - 1}&limit=1`).then((page) => setEntry(page.entries[0]?.seq === row.seq ? page.entries[0] : undefined), () => undefined);
  }, [row.seq, row.kind]);
  return (
    <div class="body" data-testid="request-detail">
      <p>
        <strong>{row.method ?? ''} {row.path}</strong> → {row.status} ({TYPES[row.protocol]}, {answeredBy(row)}) at {clock(row.at)}
        {row.protocol === 'http' && row.ms !== undefined ? `, answered in ${row.ms} ms` : ''}
        {row.closed !== undefined ? `, closed ${row.closed.code}${row.closed.reason === undefined ? '' : ` ${row.closed.reason}`} after ${row.closed.at - row.at} ms` : ''}
        {row.client === undefined ? '' : `; client ${row.client}`}{row.scope === undefined ? '' : `, scope ${row.scope}`}
      </p>
      {row.reason !== undefined && <p class="error">{row.reason}</p>}
      {!journal && <p class="hint">Headers and bodies are kept with the journal (start with --journal).</p>}
      {journal && row.protocol !== 'http' && <p class="hint">An upgrade or connect has its request's head here; its frames are in the client's log (Clients).</p>}
      {entry !== undefined && (
        <>
          <Headers title="Request headers" headers={entry.request?.headers} />
          {row.protocol === 'http' && (
            <>
              <h3>Request body</h3><pre>{shown(entry.request)}</pre>
              <Headers title="Response headers" headers={entry.response?.headers} />
              <h3>Response body</h3><pre data-testid="response-body">{shown(entry.response)}</pre>
            </>
          )}
        </>
      )}
    </div>
  );
}

/**
 * Every request as the browser's network panel lists them, WebSocket upgrades and Server-Sent Events
 * connects among them: one row each (method, path, status, type, who answered, time, size, duration), its
 * headers, bodies and timing on click. With the journal on, read from it (the last 1,000, then each new one);
 * off, from the HTTP side's last 100 requests. Filters, pause and clear.
 */
export function RequestList({ journal, recent }: { journal: boolean; recent: readonly HttpRequestRecord[] }) {
  const list = useRows<RequestRow | LoggedRequest>(LIST_LIMIT, merge);
  const [filter, setFilter] = useState('');
  const [type, setType] = useState<'' | 'http' | 'websocket' | 'sse'>('');
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const seen = useRef(0);
  const { reset, add } = list;
  useEffect(() => {
    if (!journal) return undefined;
    const source = new EventSource(liveUrl('/admin/live/requests'));
    source.addEventListener('history', (event) => {
      const history = JSON.parse((event as MessageEvent<string>).data) as { messages: LoggedRequest[]; earlier: number };
      reset(history.messages, history.earlier);
    });
    source.addEventListener('messages', (event) => {
      const batch = JSON.parse((event as MessageEvent<string>).data) as LogBatch<LoggedRequest>;
      add(batch.messages, batch.skipped);
    });
    return () => source.close();
  }, [journal, reset, add]);
  useEffect(() => {
    if (journal) return;
    const fresh = recent.filter((r) => r.n > seen.current).reverse();
    if (fresh.length === 0) return;
    seen.current = fresh[fresh.length - 1]?.n ?? seen.current;
    add(fresh.map(fromRecord));
  }, [journal, recent, add]);
  const rows = list.rows as readonly Keyed<RequestRow>[];
  const visible = rows.filter(({ row }) => (type === '' || row.protocol === type) && (filter === '' || `${row.method ?? ''} ${row.path} ${row.status} ${answeredBy(row)} ${row.client ?? ''} ${row.scope ?? ''}`.includes(filter)));
  const chosen = rows.find((r) => r.key === selected)?.row;
  return (
    <div class="requests">
      <div class="toolbar">
        <input type="search" placeholder="filter requests" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <select aria-label="type" data-testid="request-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as '' | 'http' | 'websocket' | 'sse')}>
          <option value="">all</option><option value="http">fetch (HTTP)</option><option value="websocket">WebSocket</option><option value="sse">event stream (SSE)</option>
        </select>
        <Controls rows={list} setPaused={list.setPaused} clear={list.clear} what="requests" />
      </div>
      {!journal && <p class="hint" data-testid="requests-note">The last 100 requests; with the journal on (--journal), every request from the start with its headers and bodies.</p>}
      <div class="request header"><span>method</span><span>path</span><span>status</span><span>type</span><span>answered by</span><span>time</span><span>size</span><span>duration</span></div>
      <div data-testid="http-requests" class="request-list">
        <VirtualList
          items={visible}
          rowHeight={26}
          follow
          render={({ key, row }) => (
            <button class={`request${row.status >= 400 ? ' failed' : ''}${key === selected ? ' selected' : ''}`} data-testid="request-row" onClick={() => setSelected(key)}>
              <span>{row.method ?? '—'}</span><span class="preview">{row.path}</span><span>{row.status}</span><span>{TYPES[row.protocol]}</span><span>{answeredBy(row)}</span><span>{clock(row.at)}</span><span>{bytes(row.size)}</span><span>{timing(row)}</span>
            </button>
          )}
        />
      </div>
      {chosen !== undefined && <Detail row={chosen} journal={journal} />}
    </div>
  );
}
