import { useEffect, useState } from 'preact/hooks';
import { liveUrl } from './api.ts';
import type { Snapshot } from './types.ts';

/** One point per snapshot: messages per second out of (and into) each endpoint since the previous one. */
export interface RatePoint {
  at: number;
  out: Record<string, number>;
  in: Record<string, number>;
}

const HISTORY = 300; // five minutes at one snapshot a second

/**
 * The server pushes a snapshot every second over server-sent events (EventSource reconnects by itself);
 * rates and their history are computed here from the counters' deltas.
 */
export function useLive(): { snapshot: Snapshot | undefined; history: RatePoint[]; connected: boolean } {
  const [state, setState] = useState<{ snapshot: Snapshot | undefined; history: RatePoint[]; connected: boolean }>({ snapshot: undefined, history: [], connected: false });
  useEffect(() => {
    const source = new EventSource(liveUrl('/admin/live'));
    let previous: Snapshot | undefined;
    source.addEventListener('snapshot', (event) => {
      const snapshot = JSON.parse((event as MessageEvent<string>).data) as Snapshot;
      const last = previous;
      previous = snapshot;
      setState((s) => {
        let history = s.history;
        if (last !== undefined) {
          const seconds = Math.max(0.001, (snapshot.at - last.at) / 1000);
          const point: RatePoint = { at: snapshot.at, out: {}, in: {} };
          for (const e of snapshot.stats.endpoints) {
            const before = last.stats.endpoints.find((b) => b.endpoint === e.endpoint);
            point.out[e.endpoint] = Math.max(0, (e.messagesOut - (before?.messagesOut ?? 0)) / seconds);
            point.in[e.endpoint] = Math.max(0, (e.messagesIn - (before?.messagesIn ?? 0)) / seconds);
          }
          history = [...history.slice(-(HISTORY - 1)), point];
        }
        return { snapshot, history, connected: true };
      });
    });
    source.addEventListener('error', () => setState((s) => ({ ...s, connected: false })));
    return () => source.close();
  }, []);
  return state;
}
