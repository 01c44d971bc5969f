/**
 * The HTTP rows' measurement, driven by wrk (bench/lib/wrk.ts) against the work of bench/lib/http-work.ts. A
 * first request checks that every server answers what the row means (a 200, and the same JSON where the answer
 * is fixed) before any load, so a route that stopped matching is an error rather than a fast row of 404s.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { withServer, type Context, type Figures } from './scenarios.ts';
import { ACCEPTED, HTTP_REQUESTS, STATIC_BODY, type HttpMode } from './http-work.ts';
import type { ServerName } from './servers.ts';
import { runWrk, wrkScript } from './wrk.ts';

/** One request as the row makes it: a 200, and for the fixed answers the very JSON (calibration answers its own). */
async function preflight(server: ServerName, url: string, mode: HttpMode): Promise<void> {
  const request = HTTP_REQUESTS[mode];
  const response = await fetch(url, { method: request.method, body: request.body, headers: request.headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${server} answered ${request.method} ${request.path} with ${response.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as unknown;
  if (server === 'calibration') return;
  if (mode === 'static') deepStrictEqual(body, STATIC_BODY, `${server}: not the static body`);
  if (mode === 'post' || mode === 'post-when') deepStrictEqual(body, ACCEPTED, `${server}: not the POST answer`);
}

/** wrk against one server doing `mode`: a warm-up run, then the measured one. */
function measure(server: ServerName, ctx: Context, mode: HttpMode, connections: number): Promise<Figures | undefined> {
  return withServer(server, { kind: 'http', mode }, ctx, async (proc) => {
    if (ctx.wrk === undefined) throw new Error('wrk is missing');
    const url = `http://127.0.0.1:${proc.port}${HTTP_REQUESTS[mode].path}`;
    await preflight(server, url, mode);
    const script = wrkScript(HTTP_REQUESTS[mode], ctx.tmp, mode);
    // wrk counts whole seconds: the warm-up is at least one.
    await runWrk(ctx.wrk, url, { connections, seconds: Math.max(1, Math.round(ctx.warmupMs / 1000)), script });
    const r = await runWrk(ctx.wrk, url, { connections, seconds: ctx.seconds, script });
    return { perSecond: Math.round(r.perSecond), p50: r.p50, p99: r.p99 };
  });
}

/** A GET row: the templated route or the static one. */
export const httpGet = (server: ServerName, ctx: Context, connections: number, mode: 'route' | 'static'): Promise<Figures | undefined> => measure(server, ctx, mode, connections);

/**
 * The POST rows: the same route without and with a `when` on headers and body, measured back to back on each
 * server so their ratio (what the matching costs) compares two runs seconds apart.
 */
export async function httpPost(server: ServerName, ctx: Context, connections: number): Promise<Figures | undefined> {
  const plain = await measure(server, ctx, 'post', connections);
  const when = await measure(server, ctx, 'post-when', connections);
  if (plain === undefined || when === undefined) return undefined;
  return { perSecondPlain: plain['perSecond']!, perSecond: when['perSecond']!, p99: when['p99']!, whenShare: Math.round((when['perSecond']! / plain['perSecond']!) * 1000) / 1000 };
}
