/**
 * The scenarios of `npm run bench`: what each measures, against which servers, at which size, with which
 * targets. bench/run.ts runs them; bench/lib/scenarios.ts and bench/lib/http-rows.ts measure.
 */
import { httpGet, httpPost } from './http-rows.ts';
import { HTTP_GUARD_FLOOR, type Target } from './report.ts';
import { fanOut, sseFanOut, idle, requestReply, startup, storm, type Context, type Figures } from './scenarios.ts';
import type { ServerName } from './servers.ts';

export interface Scenario {
  readonly id: string;
  readonly label: string;
  readonly servers: readonly ServerName[];
  /** `processes`: how many load client processes share the clients (WebSocket and SSE rows). */
  run(server: ServerName, ctx: Context, processes: number): Promise<Figures | undefined>;
  readonly rows: readonly { metric: string; unit: string; better: 'higher' | 'lower'; targets?: readonly Target[] }[];
  /** Throughput work is measured this many times per server, alternating, keeping each figure's best. */
  readonly rounds?: number;
  /**
   * The same load against bench/peers/calibrate.mjs (a server doing no work) first, in every round: what the
   * load client can measure (docs/benchmarks.md, "Load clients and calibration"). Rates and latencies only.
   */
  readonly calibrate?: boolean;
  /**
   * Load processes: `from` at first; with calibration, raised one at a time up to `upTo` while the calibration
   * figure still rises by 5 % or more, and every server of the row is then driven with that many.
   */
  readonly load?: { readonly from: number; readonly upTo: number };
  /** Needs wrk (bench/lib/wrk.ts). */
  readonly wrk?: boolean;
}

interface Sizes {
  readonly quick: boolean;
  readonly rrClients: number;
  readonly fanSmall: number;
  readonly fanLarge: number;
  readonly fan10: number;
  readonly stormCount: number;
  readonly idleCount: number;
  readonly rounds: number;
}

const HOLD_COUNT = 15_000;
type Row = Scenario['rows'][number];
const rate = (unit: string, targets?: readonly Target[]): Row => ({ metric: 'perSecond', unit, better: 'higher', ...(targets === undefined ? {} : { targets }) });
const p99: Row = { metric: 'p99', unit: 'ms p99', better: 'lower' };
/** Issue 28: each HTTP row's p99 at most 1.5 x bare node:http's. */
const httpP99: Row = { ...p99, targets: [{ vs: 'bare', ratio: 1.5 }] };
const rss: Row = { metric: 'rssMB', unit: 'MB RSS', better: 'lower' };
/** Issue 29: what the journal costs: mockwave with `journal.enabled: true` against mockwave as it starts (off). */
const journalCost = (ratio: number): Target => ({ vs: 'journalOn', ratio });
/** The journal-on server of those rows: a full run's report only, never CI's quick guard (it has no target there). */
const journalOn = (z: Sizes): ServerName[] => (z.quick ? [] : ['journal-on']);

/** WebSocket request-reply: 50 closed-loop clients over as many load processes as calibration finds useful. */
function requestReplyScenarios(z: Sizes): Scenario[] {
  const common = { rounds: z.rounds, calibrate: true, load: { from: 1, upTo: 4 } };
  return [
    {
      ...common,
      id: 'ping-pong',
      label: `guide ping -> pong, ${z.rrClients} clients, closed loop`,
      servers: ['bare', 'mockwave', ...journalOn(z), 'mockoon'],
      run: (s, ctx, n) => requestReply(s, ctx, z.rrClients, 'pingpong', n),
      rows: [rate('round trips/s', [{ vs: 'bare', ratio: 0.85 }, journalCost(0.9)]), { ...p99, targets: [{ vs: 'bare', ratio: 1.5 }] }, rss],
    },
    {
      ...common,
      id: 'templated-reply',
      label: `rule-matched templated reply, ${z.rrClients} clients (bare: echo)`,
      servers: ['bare', 'mockwave', 'mockoon'],
      run: (s, ctx, n) => requestReply(s, ctx, z.rrClients, 'templated-reply', n),
      // Against echo only as information: bare ws doing the same work by hand reaches some 0.65 x its own echo,
      // so the target is the next row's (issue 27).
      rows: [rate('replies/s', [{ vs: 'mockoon', ratio: 10 }]), p99],
    },
    {
      ...common,
      id: 'templated-reply-by-hand',
      label: `rule-matched templated reply, ${z.rrClients} clients (bare: the same reply by hand)`,
      servers: ['bare', 'mockwave', ...journalOn(z)],
      run: (s, ctx, n) => requestReply(s, ctx, z.rrClients, 'hand-written-reply', n),
      rows: [rate('replies/s', [{ vs: 'bare', ratio: 0.95 }, journalCost(0.9)]), p99],
    },
  ];
}

/** HTTP: wrk with 50 keep-alive connections on one thread (bench/lib/wrk.ts). */
function httpScenarios(z: Sizes): Scenario[] {
  const common = { rounds: z.rounds, calibrate: true, wrk: true };
  return [
    {
      ...common,
      id: 'http-route',
      label: `templated JSON HTTP route (a path parameter, three helpers), wrk, ${z.rrClients} keep-alive connections (bare: node:http)`,
      servers: ['bare', 'mockwave', ...journalOn(z), 'mockoon'],
      run: (s, ctx) => httpGet(s, ctx, z.rrClients, 'route'),
      rows: [rate('requests/s', [{ vs: 'bare', ratio: 0.9, guard: HTTP_GUARD_FLOOR }, { vs: 'mockoon', ratio: 10 }, journalCost(0.9)]), httpP99],
    },
    {
      ...common,
      id: 'http-static',
      label: `static JSON HTTP route (a fixed body, no template), wrk, ${z.rrClients} keep-alive connections (bare: node:http)`,
      servers: ['bare', 'mockwave'],
      run: (s, ctx) => httpGet(s, ctx, z.rrClients, 'static'),
      rows: [rate('requests/s', [{ vs: 'bare', ratio: 0.9 }]), httpP99],
    },
    {
      ...common,
      id: 'http-post',
      label: `POST of a 200-byte JSON order, a small JSON answered, wrk, ${z.rrClients} keep-alive connections (bare: node:http reading the body)`,
      servers: ['bare', 'mockwave'],
      run: (s, ctx) => httpPost(s, ctx, z.rrClients),
      rows: [
        // Not guarded in the quick run: in its one-second windows the matching path is still warming up (its
        // with / without share 0.49 there against 0.80-0.92 in full runs), so the guard would measure the JIT.
        { metric: 'perSecondPlain', unit: 'requests/s, route without when', better: 'higher', targets: [{ vs: 'bare', ratio: 0.75, guard: 'none' }] },
        { metric: 'perSecond', unit: 'requests/s, with when on a header and the body', better: 'higher', targets: [{ vs: 'bare', ratio: 0.75, guard: 'none' }] },
        { metric: 'p99', unit: 'ms p99, with when', better: 'lower', targets: [{ vs: 'bare', ratio: 1.5, guard: 'none' }] },
        // What the matching costs: mockwave's with / without, in the same round (bare's: matching by hand).
        { metric: 'whenShare', unit: 'requests/s with when / without', better: 'higher', targets: [{ absolute: 0.9 }] },
      ],
    },
  ];
}

/** Broadcasts: one or ten streams every 10 ms, WebSocket and Server-Sent Events. */
function fanOutScenarios(z: Sizes): Scenario[] {
  const common = { rounds: z.rounds, calibrate: true };
  const ofDemand: Row = { metric: 'ofDemand', unit: 'share delivered', better: 'higher' };
  return [
    {
      ...common,
      load: { from: 1, upTo: 4 },
      id: 'fan-out-1',
      label: `fan-out, 1 stream every 10 ms, ${z.fanSmall} clients`,
      servers: ['bare', 'mockwave', ...journalOn(z), 'mockoon'],
      run: (s, ctx, n) => fanOut(s, ctx, z.fanSmall, 1, 10, n),
      rows: [rate('messages/s', [{ vs: 'bare', ratio: 1.0 }, journalCost(0.97)]), ofDemand],
    },
    {
      ...common,
      load: { from: 1, upTo: 4 },
      id: 'fan-out-1-deflate',
      label: `fan-out, 1 stream every 10 ms, ${z.fanSmall} clients, permessage-deflate on every message (bare: ws with the same)`,
      servers: ['bare', 'mockwave'],
      run: (s, ctx, n) => fanOut(s, ctx, z.fanSmall, 1, 10, n, true),
      rows: [rate('messages/s', [{ vs: 'bare', ratio: 0.9 }]), ofDemand, rss],
    },
    {
      ...common,
      load: { from: 1, upTo: 4 },
      id: 'sse-fan-out',
      label: `Server-Sent Events fan-out, 1 stream every 10 ms, ${z.fanSmall} clients (bare: node:http writing to each)`,
      servers: ['bare', 'mockwave'],
      run: (s, ctx, n) => sseFanOut(s, ctx, z.fanSmall, 10, n),
      rows: [rate('events/s', [{ vs: 'bare', ratio: 1.0 }]), ofDemand, rss],
    },
    {
      ...common,
      load: { from: 2, upTo: 6 },
      id: 'sse-fan-out-large',
      label: `Server-Sent Events fan-out, 1 stream every 10 ms, ${z.fanLarge} clients (bare: node:http writing to each)`,
      servers: ['bare', 'mockwave'],
      run: (s, ctx, n) => sseFanOut(s, ctx, z.fanLarge, 10, n),
      rows: [rate('events/s', [{ vs: 'bare', ratio: 1.0 }]), ofDemand, rss],
    },
    {
      ...common,
      load: { from: 2, upTo: 6 },
      id: 'fan-out-1-large',
      label: `fan-out, 1 stream every 10 ms, ${z.fanLarge} clients`,
      servers: ['bare', 'mockwave', 'mockoon'],
      run: (s, ctx, n) => fanOut(s, ctx, z.fanLarge, 1, 10, n),
      rows: [rate('messages/s', [{ vs: 'bare', ratio: 1.0 }]), rss],
    },
    {
      ...common,
      load: { from: 2, upTo: 6 },
      id: 'fan-out-10',
      label: `fan-out, 10 streams every 10 ms, ${z.fan10} clients on all 10`,
      servers: ['bare', 'mockwave'],
      run: (s, ctx, n) => fanOut(s, ctx, z.fan10, 10, 10, n),
      rows: [rate('messages/s', [{ vs: 'bare', ratio: 1.5 }])],
    },
  ];
}

/** Connections: the storm, memory per idle connection, 15,000 held, and start-up. No calibration but the storm's. */
function connectionScenarios(z: Sizes): Scenario[] {
  const held: Scenario = {
    id: 'held-15k',
    label: `${HOLD_COUNT.toLocaleString('en')} connections held, heartbeat every 1 s`,
    servers: ['bare', 'mockwave'],
    run: (s, ctx) => idle(s, ctx, HOLD_COUNT, 3, 1000),
    rows: [{ metric: 'held', unit: 'still open after the window', better: 'higher', targets: [{ absolute: HOLD_COUNT }] }, rss],
  };
  return [
    {
      id: 'storm',
      calibrate: true,
      label: `connection storm: ${z.stormCount.toLocaleString('en')} connections, 500 in flight`,
      servers: ['bare', 'mockwave', 'mockoon'],
      run: (s, ctx) => storm(s, ctx, z.stormCount),
      rows: [rate('connections/s')],
    },
    {
      id: 'idle-memory',
      label: `idle connections: ${z.idleCount.toLocaleString('en')}`,
      servers: ['bare', 'mockwave', 'mockoon'],
      run: (s, ctx) => idle(s, ctx, z.idleCount, 1, 30_000),
      rows: [{ metric: 'perConnKiB', unit: 'KiB RSS per connection', better: 'lower', targets: [{ vs: 'bare', ratio: 1.3 }] }],
    },
    ...(z.quick ? [] : [held]),
    {
      id: 'start-up',
      label: 'start to listening (median of 5 cold starts)',
      servers: ['bare', 'mockwave', 'mockoon'],
      run: (s, ctx) => startup(s, ctx, 5),
      rows: [{ metric: 'ms', unit: 'ms', better: 'lower', targets: [{ vs: 'bare', ratio: 1.5 }] }],
    },
  ];
}

/** Every scenario, in the order they run; `quick`: small sizes, one round (CI's guard). */
export function suite(quick: boolean): Scenario[] {
  const size = <T>(full: T, small: T): T => (quick ? small : full);
  const z: Sizes = {
    quick,
    rrClients: size(50, 20),
    fanSmall: size(1000, 300),
    fanLarge: size(3000, 600),
    fan10: size(1000, 200),
    stormCount: size(10_000, 1000),
    idleCount: size(5000, 1000),
    // Shared machines have noisy neighbours: best of two alternating runs (noise only ever slows a run down).
    rounds: size(2, 1),
  };
  return [...requestReplyScenarios(z), ...httpScenarios(z), ...fanOutScenarios(z), ...connectionScenarios(z)];
}
