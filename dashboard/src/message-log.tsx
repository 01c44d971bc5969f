import { useEffect, useState } from 'preact/hooks';
import { api, liveUrl } from './api.ts';
import { Controls } from './controls.tsx';
import { bytes, clock, pretty, useRows } from './rows.ts';
import type { Client, LogBatch, LoggedMessage, LogHistory } from './types.ts';
import { VirtualList } from './virtual-list.tsx';

const LOG_LIMIT = 2000;

/** ↑ a frame the client sent, ↓ one it got (as the browser's frames view has them); • what is not a frame. */
const arrow = (m: LoggedMessage): string => (m.direction === 'in' ? '↑' : m.direction === 'out' ? '↓' : '•');

function preview(m: LoggedMessage): string {
  if (m.kind !== undefined && m.kind !== 'message' && m.kind !== 'broadcast') return m.note ?? m.kind;
  if (m.binary) return `binary ${m.hex ?? ''}${m.truncated === true ? '…' : ''}`;
  return (m.text ?? '').slice(0, 300);
}

/** A row's body, whole: read again from the journal when the row's preview was cut. */
function Body({ message }: { message: LoggedMessage }) {
  const [whole, setWhole] = useState<string | undefined>(undefined);
  useEffect(() => {
    setWhole(undefined);
    if (message.truncated !== true || message.seq === undefined) return;
    void api<{ entries: { seq: number; json?: unknown; text?: string; base64?: string }[] }>('GET', `/admin/journal?since=${message.seq - 1}&limit=1`).then((page) => {
      const entry = page.entries[0];
      if (entry === undefined || entry.seq !== message.seq) return;
      setWhole(entry.json !== undefined ? JSON.stringify(entry.json, null, 2) : (entry.text ?? `base64 ${entry.base64 ?? ''}`));
    }, () => undefined);
  }, [message]);
  const what = message.direction === 'in' ? 'sent by the client' : message.direction === 'out' ? 'received by the client' : message.kind;
  const body = whole ?? (message.binary ? `binary, ${message.size} bytes: ${message.hex ?? ''}${message.truncated === true ? '…' : ''}` : message.text === undefined ? (message.note ?? '') : `${pretty(message.text)}${message.truncated === true ? '…' : ''}`);
  return (
    <div class="body">
      <p class="meta">{arrow(message)} {what} at {clock(message.at)}, {bytes(message.size)}{message.seq === undefined ? '' : `, journal #${message.seq}`}{message.kind === 'broadcast' ? ` (${message.note ?? 'broadcast'})` : ''}</p>
      <pre data-testid="message-body">{body}</pre>
    </div>
  );
}

/**
 * One client's frames as the browser's WebSocket frames view shows them: one row each (↑ or ↓, time, length,
 * a one-line preview), the body pretty-printed on click; with the journal on, from the connection's first
 * message. Filters, pause and clear; the log fills the window's height.
 */
export function MessageLog({ client }: { client: Client }) {
  const log = useRows<LoggedMessage>(LOG_LIMIT);
  const [note, setNote] = useState<string | undefined>(undefined);
  const [filter, setFilter] = useState('');
  const [direction, setDirection] = useState<'' | 'in' | 'out'>('');
  const [selected, setSelected] = useState<number | undefined>(undefined);
  const { reset, add } = log;
  useEffect(() => {
    reset([]);
    setNote(undefined);
    setSelected(undefined);
    const source = new EventSource(liveUrl(`/admin/live/clients/${encodeURIComponent(client.id)}`));
    source.addEventListener('history', (event) => {
      const history = JSON.parse((event as MessageEvent<string>).data) as LogHistory;
      setNote(history.note);
      reset(history.messages, history.earlier);
    });
    source.addEventListener('messages', (event) => {
      const batch = JSON.parse((event as MessageEvent<string>).data) as LogBatch<LoggedMessage>;
      add(batch.messages, batch.skipped);
    });
    return () => source.close();
  }, [client.id, reset, add]);
  const shown = log.rows.filter(({ row }) => (direction === '' || row.direction === direction) && (filter === '' || preview(row).includes(filter)));
  const chosen = log.rows.find((r) => r.key === selected)?.row;
  return (
    <div class="log">
      <div class="toolbar">
        <input type="search" placeholder="filter messages" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <select aria-label="direction" data-testid="log-direction" value={direction} onChange={(e) => setDirection((e.target as HTMLSelectElement).value as '' | 'in' | 'out')}>
          <option value="">↑↓ all</option>
          <option value="in">↑ sent by the client</option>
          <option value="out">↓ received</option>
        </select>
        <Controls rows={log} setPaused={log.setPaused} clear={log.clear} what="log" />
      </div>
      {note !== undefined && <p class="hint" data-testid="log-note">{note}</p>}
      <div class="frame header"><span /><span>time</span><span>length</span><span>data</span></div>
      <div data-testid="message-log" class="frames">
        <VirtualList
          items={shown}
          rowHeight={24}
          follow
          render={({ key, row }) => (
            <button class={`frame ${row.direction ?? 'event'}${key === selected ? ' selected' : ''}`} data-testid="message-row" onClick={() => setSelected(key)}>
              <span class="arrow">{arrow(row)}</span><span>{clock(row.at)}</span><span>{row.kind === 'message' || row.kind === 'broadcast' || row.kind === undefined ? row.size : ''}</span><span class="preview">{preview(row)}</span>
            </button>
          )}
        />
      </div>
      {log.rows.length === 0 && <p class="hint">{note === undefined ? 'Nothing yet.' : 'Messages appear here as they pass.'}</p>}
      {chosen !== undefined && <Body message={chosen} />}
    </div>
  );
}
