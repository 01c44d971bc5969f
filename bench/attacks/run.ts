/**
 * Attacks on a running server, measured: what one client (or a few) can do to the server's memory and to
 * a bystander's latency. Each attack runs against a fresh `dist/mockwave.js` process on 127.0.0.1 with the
 * default settings, is bounded in time and count, and stops by itself.
 *
 *   npm run bench:attacks                      every attack, against this checkout's build
 *   npm run bench:attacks -- --bin <file>      against another build (e.g. an older commit's, for "before")
 *   npm run bench:attacks -- --only live       attacks whose id contains "live"
 *   npm run bench:attacks -- --only http       the HTTP side (ids starting with http-: bench/attacks/http*.ts)
 *
 * Figures: the server's RSS before the attack (idle) and its highest RSS during it, read from /proc every
 * 50 ms; a bystander's ping round trips (one every 20 ms) as p50/p99/max, and on the HTTP side a second
 * bystander's GETs (one every 20 ms); time to refusal, whether the server survived, and what the attacker
 * saw (evicted, refused). Against this checkout's build (no --bin) the results are kept in
 * bench/results/attacks.{json,md}: an attack run again replaces its row, the others keep theirs (each row
 * says when it ran and the machine's load average then).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { stopChildrenOnSignals } from '../lib/processes.ts';
import { MB, ROOT, bystander, launch, openWs, removeTempDirs, round, sleep, useBuild, watchRss, type Result } from './common.ts';
import { HTTP_ATTACKS } from './http.ts';
import { HTTP_UPSTREAM_ATTACKS } from './http-upstream.ts';

const { values } = parseArgs({ options: { bin: { type: 'string' }, only: { type: 'string' } } });
if (values.bin !== undefined) useBuild(values.bin);

/** Stops reading at the TCP level: the server's writes pile up. */
function stall(ws: WebSocket): void {
  ws.pause();
  (ws as unknown as { _socket: Socket })._socket.pause();
}

/**
 * How many clients the server itself counts, polled every 100 ms: a client that stopped reading never sees
 * the server's close (its socket is paused), so the server's own count says when the slot was freed.
 */
function watchClients(port: number): { clients: () => number; stop: () => void } {
  let count = -1;
  const timer = setInterval(() => {
    fetch(`http://127.0.0.1:${port}/admin/websocket/stats`)
      .then((r) => r.json() as Promise<{ data: { connectedClients: number } }>)
      .then((body) => (count = body.data.connectedClients), () => undefined);
  }, 100);
  return { clients: () => count, stop: () => clearInterval(timer) };
}

/** Sends `text` as fast as the socket takes it for `ms`, or until `gone()` says the server let it go. */
async function flood(ws: WebSocket, text: string, ms: number, gone: () => boolean): Promise<{ closedAfterMs?: number; sent: number }> {
  const started = Date.now();
  let sent = 0;
  while (Date.now() - started < ms && !gone() && ws.readyState === WebSocket.OPEN) {
    for (let i = 0; i < 500; i++) ws.send(text);
    sent += 500;
    // Let the socket drain to the kernel: the attacker's own memory is not what is measured.
    while (ws.bufferedAmount > MB && !gone() && Date.now() - started < ms) await sleep(1);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return { closedAfterMs: gone() || ws.readyState !== WebSocket.OPEN ? Date.now() - started : undefined, sent };
}

async function memoryAttack(id: string, label: string, message: string, attackers: number): Promise<Result> {
  const launched = await launch(undefined);
  if ('failed' in launched) return { id, label, outcome: `did not start: ${launched.failed}` };
  const { server, port } = launched;
  const url = `ws://127.0.0.1:${port}/ws`;
  await sleep(500);
  const idle = server.rss();
  const peak = watchRss(server);
  const watch = await bystander(url);
  const clients = await Promise.all(Array.from({ length: attackers }, () => openWs(url)));
  clients.forEach(stall);
  const count = watchClients(port);
  // Once the server counts only the bystander, every attacker has been let go.
  const allGone = (): boolean => count.clients() === 1;
  const results = await Promise.all(clients.map((c) => flood(c, message, 20_000, allGone)));
  count.stop();
  const top = peak();
  const latency = watch();
  for (const c of clients) c.terminate();
  await server.stop();
  const evicted = results.filter((r) => r.closedAfterMs !== undefined);
  return {
    id,
    label,
    idleRssMB: round(idle / MB),
    peakRssMB: round(top / MB),
    growthMB: round((top - idle) / MB),
    bystanderMs: latency,
    outcome: `${results.reduce((n, r) => n + r.sent, 0).toLocaleString('en')} messages sent; ${evicted.length}/${attackers} attacker(s) let go${evicted.length > 0 ? ` (the last after ${round(Math.max(...evicted.map((r) => r.closedAfterMs ?? 0)) / 1000)} s)` : ' within 20 s'}`,
  };
}

async function slowSubscriber(): Promise<Result> {
  const id = 'slow-subscriber';
  const label = 'a subscriber of a 16 KB stream every 10 ms stops reading: time to eviction';
  const launched = await launch({ endpoints: [{ path: '/ws', streams: [{ name: 'blob', interval: 10, data: { big: 'x'.repeat(16 * 1024) } }] }] });
  if ('failed' in launched) return { id, label, outcome: `did not start: ${launched.failed}` };
  const { server, port } = launched;
  const idle = server.rss();
  const peak = watchRss(server);
  const ws = await openWs(`ws://127.0.0.1:${port}/ws`);
  ws.send('{"type":"subscribe","event":"blob"}');
  await sleep(100);
  stall(ws);
  const started = Date.now();
  const count = watchClients(port);
  let closedAfter: number | undefined;
  while (closedAfter === undefined && Date.now() - started < 70_000) {
    await sleep(50);
    if (count.clients() === 0) closedAfter = Date.now() - started;
  }
  count.stop();
  const top = peak();
  ws.terminate();
  await server.stop();
  return { id, label, idleRssMB: round(idle / MB), peakRssMB: round(top / MB), growthMB: round((top - idle) / MB), outcome: closedAfter === undefined ? 'still connected after 70 s' : `let go ${round(closedAfter / 1000)} s after it stopped reading (grace 10 s)` };
}

/** A raw HTTP reader of /admin/live that never reads what comes back. */
function liveReader(port: number): Promise<{ socket: Socket; status: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.write(`GET /admin/live HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      const status = new Promise<string>((done) => socket.once('data', (chunk: Buffer) => {
        done(chunk.toString('latin1').split('\r\n')[0] ?? '');
        socket.pause();
      }));
      resolve({ socket, status });
    });
    socket.once('error', reject);
  });
}

async function liveReaders(readers: number): Promise<Result> {
  const id = `live-readers-${readers}`;
  const label = `2,000 WebSocket clients, ${readers} /admin/live readers that never read, 15 s`;
  const launched = await launch(undefined);
  if ('failed' in launched) return { id, label, outcome: `did not start: ${launched.failed}` };
  const { server, port } = launched;
  const url = `ws://127.0.0.1:${port}/ws`;
  const clients: WebSocket[] = [];
  for (let i = 0; i < 2000; i += 100) clients.push(...(await Promise.all(Array.from({ length: 100 }, () => openWs(url)))));
  await sleep(1000);
  const idle = server.rss();
  const peak = watchRss(server);
  const watch = await bystander(url);
  const sockets = await Promise.all(Array.from({ length: readers }, () => liveReader(port)));
  const statuses = await Promise.all(sockets.map((s) => Promise.race([s.status, sleep(15_000).then(() => 'no answer')])));
  await sleep(15_000);
  const top = peak();
  const latency = watch();
  for (const s of sockets) s.socket.destroy();
  for (const c of clients) c.terminate();
  await server.stop();
  const served = statuses.filter((s) => s.includes(' 200')).length;
  const refused = statuses.filter((s) => s.includes(' 503')).length;
  return { id, label, idleRssMB: round(idle / MB), peakRssMB: round(top / MB), growthMB: round((top - idle) / MB), bystanderMs: latency, outcome: `${served} served, ${refused} refused with 503, ${readers - served - refused} unanswered` };
}

async function proxyQueue(): Promise<Result> {
  const id = 'proxy-queue';
  const label = '150 messages of 8 MB sent through the proxy to an upstream that accepts and never answers';
  const hung: Socket[] = [];
  const hanging = createServer((socket) => hung.push(socket));
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const upstream = `ws://127.0.0.1:${(hanging.address() as { port: number }).port}`;
  const launched = await launch({ proxy: { enabled: true, routes: [{ name: 'hang', url: upstream, connectTimeout: 60_000 }] } });
  if ('failed' in launched) return { id, label, outcome: `did not start: ${launched.failed}` };
  const { server, port } = launched;
  const idle = server.rss();
  const peak = watchRss(server);
  const ws = await openWs(`ws://127.0.0.1:${port}/ws/proxy/hang`);
  const chunk = Buffer.alloc(8 * 1000 * 1000, 0x61);
  let closed: number | undefined;
  ws.once('close', (code) => (closed = code));
  let sent = 0;
  for (; sent < 150 && closed === undefined; sent++) {
    ws.send(chunk);
    while (ws.bufferedAmount > 16 * MB && closed === undefined) await sleep(2);
  }
  await sleep(1000);
  const top = peak();
  ws.terminate();
  for (const s of hung) s.destroy();
  hanging.close();
  await server.stop();
  return { id, label, idleRssMB: round(idle / MB), peakRssMB: round(top / MB), growthMB: round((top - idle) / MB), outcome: closed === undefined ? `${sent} sent, still open` : `closed with ${closed} after ${sent} message(s)` };
}

async function catastrophicRegex(): Promise<Result> {
  const id = 'regex';
  const label = 'a rule matching (a+)+$ on a field, and a 36-byte message aimed at it';
  const launched = await launch({ endpoints: [{ path: '/ws', rules: [{ when: { regex: { text: '(a+)+$' } }, then: [{ reply: 'matched' }] }] }] });
  if ('failed' in launched) return { id, label, outcome: `refused at start: ${launched.failed}` };
  const { server, port } = launched;
  const url = `ws://127.0.0.1:${port}/ws`;
  const watch = await bystander(url);
  await sleep(200);
  const attacker = await openWs(url);
  attacker.send(JSON.stringify({ text: `${'a'.repeat(24)}!` }));
  await sleep(3000);
  const latency = watch();
  attacker.terminate();
  await server.stop();
  return { id, label, bystanderMs: latency, outcome: 'served' };
}

async function nestedAdminBody(): Promise<Result> {
  const id = 'nested-admin-body';
  const label = 'an admin publish whose body is 800 KB of nested arrays';
  const launched = await launch(undefined);
  if ('failed' in launched) return { id, label, outcome: `did not start: ${launched.failed}` };
  const { server, port } = launched;
  const deep = `${'['.repeat(400_000)}${']'.repeat(400_000)}`;
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/admin/websocket/publish`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: `{"event":"ticker","data":${deep}}` });
  const body = await response.text();
  const ms = performance.now() - started;
  await server.stop();
  return { id, label, outcome: `HTTP ${response.status} ${/"code":"(\w+)"/.exec(body)?.[1] ?? ''} in ${round(ms)} ms` };
}

const ATTACKS: { id: string; run: () => Promise<Result> }[] = [
  { id: 'request-flood', run: () => memoryAttack('request-flood', 'one client sends {"type":"request","event":"ticker"} for 20 s and never reads', '{"type":"request","event":"ticker"}', 1) },
  { id: 'ping-flood', run: () => memoryAttack('ping-flood', 'one client sends {"type":"ping"} for 20 s and never reads', '{"type":"ping"}', 1) },
  { id: 'many-attackers', run: () => memoryAttack('many-attackers', 'ten clients send requests for 20 s and never read', '{"type":"request","event":"ticker"}', 10) },
  { id: 'slow-subscriber', run: slowSubscriber },
  { id: 'live-readers-200', run: () => liveReaders(200) },
  { id: 'live-readers-1000', run: () => liveReaders(1000) },
  { id: 'proxy-queue', run: proxyQueue },
  { id: 'regex', run: catastrophicRegex },
  { id: 'nested-admin-body', run: nestedAdminBody },
  ...HTTP_ATTACKS,
  ...HTTP_UPSTREAM_ATTACKS,
];

stopChildrenOnSignals();
// Recording folders can hold hundreds of MB: gone even when the run is stopped half-way.
process.once('exit', removeTempDirs);
const results: Result[] = [];
for (const attack of ATTACKS) {
  if (values.only !== undefined && !attack.id.includes(values.only)) continue;
  process.stderr.write(`${attack.id}...\n`);
  const result = { ...(await attack.run()), at: new Date().toISOString(), loadAvg: round(loadavg()[0] ?? NaN, 1) };
  removeTempDirs();
  results.push(result);
  process.stderr.write(`${JSON.stringify(result)}\n`);
}

const mb = (v: number | undefined): string => (v === undefined ? '' : `${v} MB`);
const ms = (l: Result['bystanderMs']): string => (l === undefined ? '' : `${l.p50} / ${l.p99} / ${l.max} ms${l.failed ? ` (${l.failed} failed)` : ''}`);
/** When the rows of a table ran, and the load average then (a loaded machine's figures are rough). */
function runs(rows: readonly Result[]): string {
  const days = [...new Set(rows.map((r) => r.at?.slice(0, 10) ?? 'an unknown date'))].join(', ');
  const loads = rows.map((r) => r.loadAvg).filter((l): l is number => l !== undefined);
  return loads.length === 0 ? days : `${days}, 1-minute load average ${Math.min(...loads)} to ${Math.max(...loads)}`;
}

function tables(rows: readonly Result[]): string[] {
  const ws = rows.filter((r) => !r.id.startsWith('http-'));
  const http = rows.filter((r) => r.id.startsWith('http-'));
  return [
    ...(ws.length === 0 ? [] : [
      `WebSocket side; run ${runs(ws)}`,
      '',
      '| attack | idle RSS | peak RSS | growth | bystander ping p50 / p99 / max | outcome |',
      '|---|---|---|---|---|---|',
      ...ws.map((r) => `| ${r.label} | ${mb(r.idleRssMB)} | ${mb(r.peakRssMB)} | ${mb(r.growthMB)} | ${ms(r.bystanderMs)} | ${r.outcome} |`),
      '',
    ]),
    ...(http.length === 0 ? [] : [
      `HTTP side; run ${runs(http)}`,
      '',
      '| attack | idle RSS | peak RSS | growth | bystander GET p50 / p99 / max | bystander ping p50 / p99 / max | time to refusal | alive | outcome |',
      '|---|---|---|---|---|---|---|---|---|',
      ...http.map((r) => `| ${r.label} | ${mb(r.idleRssMB)} | ${mb(r.peakRssMB)} | ${mb(r.growthMB)} | ${ms(r.httpBystanderMs)} | ${ms(r.bystanderMs)} | ${r.refusalMs === undefined ? '' : `${r.refusalMs} ms`} | ${r.alive === undefined ? '' : r.alive ? 'yes' : 'no'} | ${r.outcome} |`),
      '',
    ]),
  ];
}

const title = `Attacks against ${values.bin ?? 'this checkout'}, Node ${process.version}`;
process.stdout.write(`${[title, '', ...tables(results)].join('\n')}`);
if (values.bin === undefined) {
  // Rows of attacks not run this time are kept from the last file, in the order of ATTACKS.
  const file = join(ROOT, 'bench/results/attacks.json');
  const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { at?: string; results: Result[] }) : { results: [] };
  const kept = ATTACKS.map((a) => results.find((r) => r.id === a.id) ?? previous.results.find((r) => r.id === a.id)).filter((r): r is Result => r !== undefined);
  const rows = kept.map((r) => ({ ...r, at: r.at ?? previous.at }));
  writeFileSync(file, `${JSON.stringify({ node: process.version, results: rows }, null, 2)}\n`);
  writeFileSync(join(ROOT, 'bench/results/attacks.md'), `${['Attacks against this checkout (`npm run bench:attacks`)', '', ...tables(rows)].join('\n')}`);
}
process.exit(0);
