/**
 * The measurements: each starts one server, drives it with load client processes, and returns figures.
 * Servers are run one after the other (never side by side), so each has the machine to itself.
 */
import { LoadClient, type ServerProcess } from './processes.ts';
import { ORDER, PING, start, streamName, subscribeTo, type ServerName, type Work } from './servers.ts';

export interface Context {
  readonly tmp: string;
  readonly mockoonBin: string | undefined;
  readonly warmupMs: number;
  readonly seconds: number;
  /** wrk, which drives the HTTP rows (undefined when it is not installed and no HTTP row runs). */
  readonly wrk?: string | undefined;
}

export type Figures = Record<string, number>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function withServer(server: ServerName, work: Work, ctx: Context, body: (proc: ServerProcess) => Promise<Figures>): Promise<Figures | undefined> {
  const proc = await start(server, work, ctx.tmp, ctx.mockoonBin);
  if (proc === undefined) return undefined;
  try {
    return await body(proc);
  } finally {
    await proc.stop();
  }
}

/** Splits `clients` over `processes` load clients, warms up, measures one window; sums what they saw. */
async function drive(
  proc: ServerProcess,
  ctx: Context,
  job: { mode: 'rr' | 'hold' | 'sse'; clients: number; processes: number; message?: string; subscribe?: string[]; deflate?: boolean },
  afterReady?: () => Promise<void>,
): Promise<{ results: Record<string, number>[]; peakRss: number }> {
  const url = job.mode === 'sse' ? `http://127.0.0.1:${proc.port}/events` : `ws://127.0.0.1:${proc.port}/ws`;
  const share = Math.ceil(job.clients / job.processes);
  const loaders = Array.from({ length: job.processes }, (_, i) => new LoadClient({ ...job, url, clients: Math.min(share, job.clients - i * share) }));
  try {
    // Thousands of connections open in batches (bench/load/client.mjs); a loaded machine still gets a few minutes.
    const ready = await Promise.all(loaders.map((l) => l.next('ready', Math.max(120_000, job.clients * 60))));
    const opened = ready.reduce((sum, r) => sum + Number(r['opened']), 0);
    if (opened < job.clients) throw new Error(`only ${opened} of ${job.clients} connections opened`);
    await afterReady?.();
    for (const l of loaders) l.send('start');
    await sleep(ctx.warmupMs);
    for (const l of loaders) l.send('measure');
    let peakRss = proc.rss();
    const until = Date.now() + ctx.seconds * 1000;
    while (Date.now() < until) {
      await sleep(Math.min(250, until - Date.now()));
      peakRss = Math.max(peakRss, proc.rss());
    }
    for (const l of loaders) l.send('stop');
    const results = (await Promise.all(loaders.map((l) => l.next('result')))) as Record<string, number>[];
    for (const l of loaders) l.send('exit');
    return { results, peakRss };
  } finally {
    for (const l of loaders) l.kill();
  }
}

const MB = 1024 * 1024;

/**
 * Latency percentiles (ms) over every load process: their histograms (10 us buckets, sent as [bucket, count]
 * pairs) are added up, since percentiles of parts do not make the percentile of the whole.
 */
function percentiles(results: readonly Record<string, unknown>[]): { p50: number; p99: number } {
  const counts = new Map<number, number>();
  for (const r of results) for (const [bucket, n] of r['histogram'] as [number, number][]) counts.set(bucket, (counts.get(bucket) ?? 0) + n);
  const buckets = [...counts.entries()].sort((a, b) => a[0] - b[0]);
  const total = buckets.reduce((sum, [, n]) => sum + n, 0);
  const at = (p: number): number => {
    let seen = 0;
    for (const [bucket, n] of buckets) {
      seen += n;
      if (seen >= Math.ceil(total * p)) return (bucket + 1) / 100;
    }
    return 0;
  };
  return { p50: at(0.5), p99: at(0.99) };
}

/** Closed-loop request-reply over `processes` load clients: round trips per second and latency percentiles. */
export function requestReply(server: ServerName, ctx: Context, clients: number, kind: 'pingpong' | 'templated-reply' | 'hand-written-reply', processes = 1, gated = false): Promise<Figures | undefined> {
  const work: Work = kind === 'pingpong' ? { kind } : { kind: 'templated-reply', bare: kind === 'templated-reply' ? 'echo' : 'fill', gated };
  return withServer(server, work, ctx, async (proc) => {
    const { results, peakRss } = await drive(proc, ctx, { mode: 'rr', clients, processes, message: kind === 'pingpong' ? PING : ORDER });
    const roundTrips = results.reduce((sum, r) => sum + r['roundTrips']!, 0);
    const seconds = Math.max(...results.map((r) => r['seconds']!));
    return { perSecond: Math.round(roundTrips / seconds), ...percentiles(results), rssMB: Math.round(peakRss / MB) };
  });
}

/**
 * Holds or lets go of the SSE stream s0: mockwave through its admin API, the bare and calibration servers by
 * SIGUSR2 (they start held). While a server broadcasts to a thousand clients it takes new connections slowly
 * (on this kind of machine one per event-loop turn: 3,000 were not all connected after minutes, for every
 * server), so the clients connect first and the stream starts for all of them at once.
 */
async function sseStream(server: ServerName, proc: ServerProcess, action: 'pause' | 'resume'): Promise<void> {
  if (server !== 'mockwave' && server !== 'journal-on') {
    if (action === 'resume') process.kill(proc.pid, 'SIGUSR2');
    return;
  }
  const response = await fetch(`http://127.0.0.1:${proc.port}/admin/websocket/streams/s0/${action}?endpoint=/events`, { method: 'POST' });
  if (!response.ok) throw new Error(`mockwave: ${action} of the SSE stream answered ${response.status}: ${await response.text()}`);
}

/** One stream every `interval` ms over Server-Sent Events to `clients` EventSource-like clients: events per second. */
export function sseFanOut(server: ServerName, ctx: Context, clients: number, interval: number, processes: number): Promise<Figures | undefined> {
  return withServer(server, { kind: 'sse-broadcast', interval, held: true }, ctx, async (proc) => {
    await sseStream(server, proc, 'pause');
    const { results, peakRss } = await drive(proc, ctx, { mode: 'sse', clients, processes }, () => sseStream(server, proc, 'resume'));
    const frames = results.reduce((sum, r) => sum + r['frames']!, 0);
    const seconds = Math.max(...results.map((r) => r['seconds']!));
    const perSecond = frames / seconds;
    return { perSecond: Math.round(perSecond), ofDemand: Math.round((perSecond / ((clients * 1000) / interval)) * 1000) / 1000, rssMB: Math.round(peakRss / MB) };
  });
}

/** Streams ticking every `interval` ms to `clients` subscribers: messages delivered per second. */
export function fanOut(server: ServerName, ctx: Context, clients: number, streams: number, interval: number, processes: number, deflate = false): Promise<Figures | undefined> {
  const subscribe = Array.from({ length: streams }, (_, i) => subscribeTo(streamName(i)));
  return withServer(server, { kind: 'broadcast', streams, interval, deflate }, ctx, async (proc) => {
    const { results, peakRss } = await drive(proc, ctx, { mode: 'hold', clients, processes, subscribe, deflate });
    const frames = results.reduce((sum, r) => sum + r['frames']!, 0);
    const seconds = Math.max(...results.map((r) => r['seconds']!));
    const perSecond = frames / seconds;
    return { perSecond: Math.round(perSecond), ofDemand: Math.round((perSecond / ((clients * streams * 1000) / interval)) * 1000) / 1000, rssMB: Math.round(peakRss / MB) };
  });
}

/** Opens `count` connections as fast as the server takes them (500 handshakes in flight). */
export function storm(server: ServerName, ctx: Context, count: number): Promise<Figures | undefined> {
  return withServer(server, { kind: 'idle', heartbeat: 30_000 }, ctx, async (proc) => {
    const loader = new LoadClient({ mode: 'storm', url: `ws://127.0.0.1:${proc.port}/ws`, clients: count, concurrency: 500 });
    try {
      await loader.next('ready');
      loader.send('start');
      const r = (await loader.next('result')) as Record<string, number>;
      if (r['opened'] !== count) throw new Error(`storm opened ${r['opened']} of ${count}`);
      return { perSecond: Math.round(count / (r['ms']! / 1000)), ms: Math.round(r['ms']!) };
    } finally {
      loader.kill();
    }
  });
}

/** Median of three RSS readings 300 ms apart: one reading can land mid-GC. */
async function settledRss(proc: ServerProcess): Promise<number> {
  const readings: number[] = [];
  for (let i = 0; i < 3; i++) {
    await sleep(300);
    readings.push(proc.rss());
  }
  return readings.sort((a, b) => a - b)[1]!;
}

/**
 * Idle connections: RSS growth per connection, and how many of `count` connections stay open through
 * heartbeats for the measuring window (the load client answers pings, as every WebSocket client does).
 */
export function idle(server: ServerName, ctx: Context, count: number, processes: number, heartbeat: number): Promise<Figures | undefined> {
  return withServer(server, { kind: 'idle', heartbeat }, ctx, async (proc) => {
    // A few connections first, so what the server loads lazily on the first one is in the baseline.
    const warm = new LoadClient({ mode: 'hold', url: `ws://127.0.0.1:${proc.port}/ws`, clients: 20 });
    try {
      await warm.next('ready');
      const before = await settledRss(proc);
      let after = before;
      const { results } = await drive(proc, { ...ctx, warmupMs: 0 }, { mode: 'hold', clients: count, processes }, async () => {
        after = await settledRss(proc);
      });
      const closedEarly = results.reduce((sum, r) => sum + r['closedEarly']!, 0);
      return { perConnKiB: Math.round(((after - before) / count / 1024) * 10) / 10, rssMB: Math.round(after / MB), held: count - closedEarly };
    } finally {
      warm.kill();
    }
  });
}

/** Start to listening, median of `runs` cold starts. */
export async function startup(server: ServerName, ctx: Context, runs: number): Promise<Figures | undefined> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const proc = await start(server, { kind: 'pingpong' }, ctx.tmp, ctx.mockoonBin);
    if (proc === undefined) return undefined;
    times.push(proc.startMs);
    await proc.stop();
  }
  times.sort((a, b) => a - b);
  return { ms: Math.round(times[Math.floor(times.length / 2)]!) };
}
