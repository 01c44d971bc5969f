import type { RatePoint } from './live.ts';

const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2'];

/** Messages per second sent by each endpoint, one line each, over the history kept (up to five minutes). */
export function RateChart({ history, endpoints }: { history: RatePoint[]; endpoints: string[] }) {
  const width = 640;
  const height = 160;
  const max = Math.max(1, ...history.flatMap((p) => Object.values(p.out)));
  const x = (i: number) => (history.length <= 1 ? width : (i / (history.length - 1)) * width);
  const y = (v: number) => height - (v / max) * (height - 10);
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label="messages per second by endpoint">
        <line x1="0" y1={height - 0.5} x2={width} y2={height - 0.5} class="axis" />
        {endpoints.map((endpoint, n) => (
          <polyline key={endpoint} fill="none" stroke={COLORS[n % COLORS.length]} stroke-width="2" points={history.map((p, i) => `${x(i).toFixed(1)},${y(p.out[endpoint] ?? 0).toFixed(1)}`).join(' ')} />
        ))}
      </svg>
      <figcaption>
        messages/s sent, last {Math.round(history.length / 60) || '<1'} min (max {Math.round(max)}/s):{' '}
        {endpoints.map((endpoint, n) => (
          <span key={endpoint} class="legend" style={{ color: COLORS[n % COLORS.length] }}>
            ■ {endpoint}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
