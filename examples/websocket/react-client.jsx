// A React component for mockwave's guide dialect: connection state, the latest value of each stream, and
// a request button. Bundle it with your app (Vite, esbuild, ...); the interop tests bundle it with esbuild
// and run it in Chromium against a real server.
import { useEffect, useRef, useState } from 'react';

export function useMockwave(url, streams) {
  const socket = useRef(null);
  const [status, setStatus] = useState('connecting');
  const [latest, setLatest] = useState({});

  useEffect(() => {
    const ws = new WebSocket(url);
    socket.current = ws;
    ws.addEventListener('open', () => {
      setStatus('open');
      for (const stream of streams) ws.send(JSON.stringify({ type: 'subscribe', event: stream }));
    });
    ws.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      if (message.type === 'event' || message.type === 'response') {
        const name = message.name ?? message.event;
        setLatest((previous) => ({ ...previous, [name]: { data: message.data, at: message.timestamp } }));
      }
    });
    ws.addEventListener('close', (event) => setStatus(`closed (${event.code})`));
    return () => ws.close(1000);
  }, [url, streams.join(',')]);

  const request = (stream) => socket.current?.send(JSON.stringify({ type: 'request', event: stream }));
  return { status, latest, request };
}

export default function LiveStreams({ url = 'ws://localhost:3000/ws', streams = ['ticker', 'notifications'] }) {
  const { status, latest, request } = useMockwave(url, streams);
  return (
    <section>
      <h2>mockwave: <span data-testid="status">{status}</span></h2>
      <ul>
        {streams.map((stream) => (
          <li key={stream} data-testid={`stream-${stream}`}>
            <strong>{stream}</strong>: {latest[stream] ? JSON.stringify(latest[stream].data) : 'waiting'}{' '}
            <button onClick={() => request(stream)}>request {stream}</button>
          </li>
        ))}
      </ul>
    </section>
  );
}
