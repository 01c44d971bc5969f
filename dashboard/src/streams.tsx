import { useState } from 'preact/hooks';
import { api } from './api.ts';
import type { StreamInfo } from './types.ts';

/** Fields that make a stream's payload other than `data`: replaced when fixed data is applied instead. */
const SOURCE_KEYS = ['generator', 'options', 'sequence', 'loop', 'mode'];

/** Where a stream's payload comes from when it is not fixed data: a generator with its options, or a sequence. */
function Source({ stream }: { stream: StreamInfo }) {
  const definition = stream.definition ?? {};
  const options = definition['options'];
  const sequence = definition['sequence'];
  const last = stream.last === undefined ? undefined : JSON.stringify(stream.last.length === 1 ? stream.last[0] : stream.last);
  if (definition['generator'] === undefined && !Array.isArray(sequence)) return null;
  return (
    <div class="source" data-testid={`stream-source-${stream.name}`}>
      {definition['generator'] !== undefined ? (
        <>generator <code>{String(definition['generator'])}</code>{options === undefined ? '' : <> with <code>{JSON.stringify(options)}</code></>}</>
      ) : (
        <>sequence of {(sequence as unknown[]).length} step{(sequence as unknown[]).length === 1 ? '' : 's'}</>
      )}
      <br />last sent: <code>{last === undefined ? 'nothing yet' : last.length > 300 ? `${last.slice(0, 300)}…` : last}</code>
    </div>
  );
}

/** Pause, resume, tick now, and change interval or data: each through the admin API, validated by the config schema. */
function StreamRow({ stream, onStatus }: { stream: StreamInfo; onStatus: (text: string) => void }) {
  const definition = stream.definition ?? {};
  const [interval, setInterval] = useState(String(definition['interval'] ?? ''));
  const [data, setData] = useState(definition['data'] === undefined ? '' : JSON.stringify(definition['data'], null, 2));
  const path = `/admin/websocket/streams/${encodeURIComponent(stream.name)}`;
  const query = `?endpoint=${encodeURIComponent(stream.endpoint)}`;
  const run = async (what: string, call: () => Promise<unknown>) => {
    try {
      await call();
      onStatus(`${stream.name}: ${what}`);
    } catch (error) {
      onStatus(`${stream.name}: ${(error as Error).message}`);
    }
  };
  const apply = () => {
    let parsedData: unknown;
    try {
      parsedData = data.trim() === '' ? undefined : JSON.parse(data);
    } catch (error) {
      onStatus(`${stream.name}: data is not JSON: ${(error as Error).message}`);
      return;
    }
    const next: Record<string, unknown> = { ...definition, name: stream.name };
    if (interval.trim() !== '') next['interval'] = /^\d+$/.test(interval.trim()) ? Number(interval) : interval.trim();
    if (parsedData !== undefined) {
      // Fixed data replaces a generator or a sequence: a stream has one source.
      for (const key of SOURCE_KEYS) delete next[key];
      next['data'] = parsedData;
    }
    void run('changed', () => api('PUT', `${path}${query}`, next));
  };
  return (
    <tr data-testid={`stream-${stream.name}`}>
      <td>{stream.name}<br /><code>{stream.endpoint}</code></td>
      <td>{stream.paused ? 'paused' : stream.schedule}<br />{stream.subscribers} subscribers</td>
      <td>
        {stream.paused ? <button onClick={() => void run('resumed', () => api('POST', `${path}/resume${query}`))}>Resume</button> : <button onClick={() => void run('paused', () => api('POST', `${path}/pause${query}`))}>Pause</button>}{' '}
        <button onClick={() => void run('ticked', () => api('POST', `${path}/tick${query}`))}>Tick now</button>
      </td>
      <td><input aria-label={`${stream.name} interval`} value={interval} size={10} placeholder="ms or 2000-5000" onInput={(e) => setInterval((e.target as HTMLInputElement).value)} /></td>
      <td>
        <Source stream={stream} />
        <textarea aria-label={`${stream.name} data`} rows={3} value={data} placeholder={definition['data'] === undefined ? 'fixed JSON to send instead' : ''} onInput={(e) => setData((e.target as HTMLTextAreaElement).value)} />
      </td>
      <td><button onClick={apply}>Apply</button></td>
    </tr>
  );
}

export function Streams({ streams }: { streams: readonly StreamInfo[] }) {
  const [status, setStatus] = useState('');
  return (
    <div>
      <p class="status" data-testid="streams-status">{status}</p>
      <table>
        <thead><tr><th>stream</th><th>schedule</th><th>control</th><th>interval</th><th>data (JSON, templates allowed)</th><th /></tr></thead>
        <tbody>
          {streams.map((s) => <StreamRow key={`${s.endpoint} ${s.name}`} stream={s} onStatus={setStatus} />)}
        </tbody>
      </table>
    </div>
  );
}
