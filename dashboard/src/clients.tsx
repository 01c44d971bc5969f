import { useState } from 'preact/hooks';
import { api } from './api.ts';
import { MessageLog } from './message-log.tsx';
import type { Client } from './types.ts';
import { VirtualList } from './virtual-list.tsx';

const CLOSE_CODES = [1000, 1001, 1008, 1011, 1013, 4000];

export function Clients({ clients, selected, onSelect }: { clients: readonly Client[]; selected: string | undefined; onSelect: (id: string | undefined) => void }) {
  const [filter, setFilter] = useState('');
  const [code, setCode] = useState(1000);
  const [status, setStatus] = useState('');
  const shown = filter === '' ? clients : clients.filter((c) => `${c.id} ${c.endpoint} ${c.remoteAddress} ${c.subscriptions.join(' ')}`.includes(filter));
  const client = clients.find((c) => c.id === selected);
  const disconnect = async (id: string) => {
    try {
      await api('POST', `/admin/websocket/clients/${encodeURIComponent(id)}/close`, { code, reason: 'closed from the dashboard' });
      setStatus(`closed ${id} with ${code}`);
    } catch (error) {
      setStatus((error as Error).message);
    }
  };
  return (
    <div class="split">
      <section>
        <input type="search" placeholder={`filter ${clients.length} clients`} value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        <div class="row header"><span>id</span><span>endpoint</span><span>address</span><span>subscriptions</span><span>in / out</span></div>
        <VirtualList
          items={shown}
          rowHeight={30}
          render={(c) => (
            <button class={`client${c.id === selected ? ' selected' : ''}`} data-testid="client-row" onClick={() => onSelect(c.id)}>
              <span>{c.id}</span><span>{c.endpoint}</span><span>{c.remoteAddress}</span><span>{c.subscriptions.join(', ')}</span><span>{c.messagesIn} / {c.messagesOut}</span>
            </button>
          )}
        />
      </section>
      <section class="detail">
        {client === undefined ? (
          <p class="hint">{selected === undefined ? 'Pick a client to see its messages.' : `${selected} has disconnected.`}</p>
        ) : (
          <>
            <h2 data-testid="client-title">{client.id}</h2>
            <p>{client.url} from {client.remoteAddress}{client.compressed ? ' (compressed)' : ''}, connected {client.connectedAt}; subscribed to {client.subscriptions.join(', ') || 'nothing'}</p>
            <p>
              <label>close code{' '}
                <select value={code} onChange={(e) => setCode(Number((e.target as HTMLSelectElement).value))} data-testid="close-code">
                  {CLOSE_CODES.map((c) => <option key={c} value={c}>{c}</option>)}
                </select>
              </label>{' '}
              <button onClick={() => void disconnect(client.id)}>Disconnect</button> <span class="status">{status}</span>
            </p>
            <MessageLog client={client} />
          </>
        )}
      </section>
    </div>
  );
}
