import { useState } from 'preact/hooks';
import { api } from './api.ts';
import type { Snapshot } from './types.ts';

type Target = { kind: 'client'; id: string } | { kind: 'endpoint'; path: string } | { kind: 'stream'; name: string; endpoint: string };

function validate(text: string): string | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Write a message (checked as JSON while typing) or start from a stream's rendered template, then send it. */
export function Compose({ snapshot, initialClient }: { snapshot: Snapshot; initialClient: string | undefined }) {
  const [text, setText] = useState('{\n  "type": "event",\n  "name": "hello",\n  "data": { "from": "the dashboard" }\n}');
  const [target, setTarget] = useState<string>(initialClient === undefined ? '' : `client:${initialClient}`);
  const [status, setStatus] = useState('');
  const problem = validate(text);
  const targets: { value: string; label: string }[] = [
    ...snapshot.clients.slice(0, 500).map((c) => ({ value: `client:${c.id}`, label: `client ${c.id} (${c.endpoint})` })),
    ...snapshot.stats.endpoints.map((e) => ({ value: `endpoint:${e.endpoint}`, label: `every client of ${e.endpoint} (${e.connections})` })),
    ...snapshot.streams.map((s) => ({ value: `stream:${s.endpoint} ${s.name}`, label: `subscribers of ${s.name} on ${s.endpoint} (${s.subscribers}), as a stream event` })),
  ];
  const parse = (value: string): Target | undefined => {
    const [kind, rest = ''] = [value.slice(0, value.indexOf(':')), value.slice(value.indexOf(':') + 1)];
    if (kind === 'client') return { kind, id: rest };
    if (kind === 'endpoint') return { kind, path: rest };
    if (kind === 'stream') return { kind, endpoint: rest.slice(0, rest.indexOf(' ')), name: rest.slice(rest.indexOf(' ') + 1) };
    return undefined;
  };
  const render = async (value: string) => {
    const [endpoint = '', name = ''] = value.split(' ');
    try {
      const result = await api<{ rendered: unknown[] }>('GET', `/admin/websocket/streams/${encodeURIComponent(name)}/render?endpoint=${encodeURIComponent(endpoint)}`);
      setText(JSON.stringify(result.rendered.length === 1 ? result.rendered[0] : result.rendered, null, 2));
      setStatus(`rendered ${name}'s template`);
    } catch (error) {
      setStatus((error as Error).message);
    }
  };
  const send = async () => {
    const chosen = parse(target);
    if (chosen === undefined || problem !== undefined) return;
    const message = JSON.parse(text) as unknown;
    try {
      const body = chosen.kind === 'client' ? { clientId: chosen.id, message } : chosen.kind === 'endpoint' ? { endpoint: chosen.path, message } : { event: chosen.name, endpoint: chosen.endpoint, data: message };
      const { delivered, schemaProblem } = await api<{ delivered: number; schemaProblem?: string }>('POST', '/admin/websocket/publish', body);
      setStatus(`delivered to ${delivered} client${delivered === 1 ? '' : 's'}${schemaProblem === undefined ? '' : `; it does not match the stream's schema: ${schemaProblem}`}`);
    } catch (error) {
      setStatus((error as Error).message);
    }
  };
  return (
    <div class="compose">
      <label>
        send to{' '}
        <select value={target} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)} data-testid="compose-target">
          <option value="">choose…</option>
          {targets.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
        </select>
      </label>{' '}
      <label>
        start from a stream{' '}
        <select value="" onChange={(e) => void render((e.target as HTMLSelectElement).value)}>
          <option value="">choose…</option>
          {snapshot.streams.map((s) => <option key={`${s.endpoint} ${s.name}`} value={`${s.endpoint} ${s.name}`}>{s.name} ({s.endpoint})</option>)}
        </select>
      </label>
      <textarea data-testid="compose-text" rows={12} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} class={problem === undefined ? '' : 'invalid'} />
      <p class={problem === undefined ? 'ok' : 'error'} data-testid="compose-check">{problem === undefined ? 'valid JSON' : `not JSON: ${problem}`}</p>
      <button disabled={problem !== undefined || parse(target) === undefined} onClick={() => void send()}>Send</button> <span class="status" data-testid="compose-status">{status}</span>
    </div>
  );
}
