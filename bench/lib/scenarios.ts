/**
 * The measurements: each starts one server, drives it with load client processes, and returns figures.
 * Servers are run one after the other (never side by side), so each has the machine to itself.
 */
import { LoadClient, type ServerProcess } from './processes.ts';
import { HTTP_ROUTE_PATH, ORDER, PING, start, streamName, subscribeTo, type ServerName, type Work } from './servers.ts';

export interface Context {
  readonly tmp: string;
  readonly mockoonBin: string | undefined;
  readonly warmupMs: number;
  readonly seconds: number;
}

export type Figures = Record<string, number>;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function withServer(server: ServerName, work: Work, ctx: Context, body: (proc: ServerProcess) => Promise<Figures>): Promise<Figures | undefined> {
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
  job: { mode: 'rr' | 'hold' | 'http' | 'sse'; clients: number; processes: number; message?: string; subscribe?: string[]; deflate?: boolean },
  afterReady?: () => Promise<void>,
): Promise<{ results: Record<string, number>[]; peakRss: number }> {
  const url = job.mode === 'http' ? `http://127.0.0.1:${proc.port}${HTTP_ROUTE_PATH}` : job.mode === 'sse' ? `http://127.0.0.1:${proc.port}/events` : `ws://127.0.0.1:${proc.port}/ws`;
  const share = Math.ceil(job.clients / job.processes);
  const loaders = Array.from({ length: job.processes }, (_, i) => new LoadClient({ ...job, url, clients: Math.min(share, job.clients - i * share) }));
  try {
    const ready = await Promise.all(loaders.map((l) => l.next('ready')));
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

/** Closed-loop request-reply: round trips per second and latency percentiles. */
export function requestReply(server: ServerName, ctx: Context, clients: number, kind: 'pingpong' | 'templated-reply' | 'hand-written-reply'): Promise<Figures | undefined> {
  const work: Work = kind === 'pingpong' ? { kind } : { kind: 'templated-reply', bare: kind === 'templated-reply' ? 'echo' : 'fill' };
  return withServer(server, work, ctx, async (proc) => {
    const { results, peakRss } = await drive(proc, ctx, { mode: 'rr', clients, processes: 1, message: kind === 'pingpong' ? PING : ORDER });
    const [r] = results as [Record<string, number>];
    return { perSecond: Math.round(r['roundTrips']! / r['seconds']!), p50: r['p50']!, p99: r['p99']!, rssMB: Math.round(peakRss / MB) };
  });
}

/** A templated JSON HTTP route under closed-loop keep-alive clients: requests per second and latency. */
export function httpRoute(server: ServerName, ctx: Context, clients: number): Promise<Figures | undefined> {
  return withServer(server, { kind: 'http-route' }, ctx, async (proc) => {
    const { results, peakRss } = await drive(proc, ctx, { mode: 'http', clients, processes: 1 });
    const [r] = results as [Record<string, number>];
    if (r['failures']! > 0) throw new Error(`${server}: ${r['failures']} failed HTTP requests`);
    return { perSecond: Math.round(r['roundTrips']! / r['seconds']!), p50: r['p50']!, p99: r['p99']!, rssMB: Math.round(peakRss / MB) };
  });
}

/** One stream every `interval` ms over Server-Sent Events to `clients` EventSource-like clients: events per second. */
export function sseFanOut(server: ServerName, ctx: Context, clients: number, interval: number, processes: number): Promise<Figures | undefined> {
  return withServer(server, { kind: 'sse-broadcast', interval }, ctx, async (proc) => {
    const { results, peakRss } = await drive(proc, ctx, { mode: 'sse', clients, processes });
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
