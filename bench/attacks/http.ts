/**
 * The HTTP side under attack (issue 25): a malformed request target, a body that never ends after its 413,
 * pipelined requests whose answers are never read, and a `respond.file` link out of the configuration's
 * folder. Each runs against a fresh server with one route beside what it attacks (`GET /ping`, which the
 * HTTP bystander asks for every 20 ms while the WebSocket bystander pings `/ws`), is bounded in time and
 * count, and goes on to the next attack when the server dies (reported with the reason it printed).
 */
import { symlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { ServerProcess } from '../lib/processes.ts';
import { MB, bystander, deathReason, httpBystander, ioAndCpu, launch, round, sleep, tempDir, watchRss, type Result } from './common.ts';

/** The route the HTTP bystander asks for. */
const PING_ROUTE = { name: 'bystander', method: 'GET', path: '/ping', then: [{ respond: { body: 'pong' } }] };

export interface AttackOutcome {
  readonly outcome: string;
  readonly refusalMs?: number;
  /** Looks at what the attack left once the measuring has stopped; its words end the outcome. */
  readonly afterwards?: () => Promise<string>;
}

/**
 * Runs `attack` against a fresh server whose `http` settings are `http` plus the bystander's route, with
 * both bystanders and the RSS watcher running throughout; says whether the server survived it and, if not,
 * why it died.
 */
export async function measured(
  id: string,
  label: string,
  http: { routes?: unknown[]; [key: string]: unknown },
  attack: (server: ServerProcess, port: number) => Promise<AttackOutcome>,
): Promise<Result> {
  const launched = await launch({ http: { ...http, routes: [PING_ROUTE, ...(http.routes ?? [])] } });
  if ('failed' in launched) return { id, label, outcome: `did not start: ${launched.failed}` };
  const { server, port } = launched;
  await sleep(500);
  const idle = server.rss();
  const peak = watchRss(server);
  const ping = await bystander(`ws://127.0.0.1:${port}/ws`);
  const get = httpBystander(port, '/ping');
  await sleep(300);
  // The bystanders share this process with the attacker: its own event loop's stalls are in their figures.
  const selfDelay = monitorEventLoopDelay({ resolution: 10 });
  selfDelay.enable();
  let result: AttackOutcome;
  const started = performance.now();
  try {
    result = await attack(server, port);
  } catch (error) {
    result = { outcome: `the attack itself failed: ${(error as Error).message}` };
  }
  // The bystanders get 5 s at least, so that a quick attack still yields a few hundred round trips.
  await sleep(5000 - (performance.now() - started));
  const top = peak();
  const bystanderMs = ping();
  const httpBystanderMs = get();
  selfDelay.disable();
  const selfMs = selfDelay.max / 1e6;
  const self = selfMs > 50 ? `; this process's own event loop stalled up to ${Math.round(selfMs)} ms (in the bystander figures)` : '';
  const alive = server.alive();
  const died = alive ? '' : `the server died (${deathReason(server)}); `;
  const coda = result.afterwards === undefined ? '' : `; ${await result.afterwards()}`;
  await server.stop();
  return { id, label, idleRssMB: round(idle / MB), peakRssMB: round(top / MB), growthMB: round((top - idle) / MB), bystanderMs, httpBystanderMs, alive, ...(result.refusalMs === undefined ? {} : { refusalMs: round(result.refusalMs) }), outcome: died + result.outcome + coda + self };
}

/** A raw socket to the server; `status` resolves with the first line it answers, or undefined when it closes first. */
function rawSocket(port: number): Promise<{ socket: Socket; status: Promise<string | undefined>; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      const status = new Promise<string | undefined>((done) => {
        socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1').split('\r\n')[0]));
        socket.once('close', () => done(undefined));
      });
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      socket.removeListener('error', reject);
      socket.on('error', () => undefined);
      resolve({ socket, status, closed });
    });
    socket.once('error', reject);
  });
}

/** One GET with a bounded wait: its status, or why it failed. */
async function getOnce(port: number, path: string): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5000) });
    await response.arrayBuffer();
    return String(response.status);
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return cause ?? (error as Error).name;
  }
}

/** `GET //[ HTTP/1.1`: a target the URL parser rejects, on the plain request path or the upgrade path. */
function badTarget(upgrade: boolean): () => Promise<Result> {
  const id = upgrade ? 'http-bad-target-upgrade' : 'http-bad-target';
  const label = upgrade ? '`GET //[ HTTP/1.1` with WebSocket upgrade headers' : '`GET //[ HTTP/1.1` (a target the URL parser rejects), one request';
  return () =>
    measured(id, label, {}, async (_server, port) => {
      const { socket, status } = await rawSocket(port);
      const headers = upgrade ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' : '';
      const sent = performance.now();
      socket.write(`GET //[ HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}\r\n`);
      const line = await Promise.race([status, sleep(5000).then(() => 'no answer within 5 s')]);
      const ms = performance.now() - sent;
      socket.destroy();
      // The bystanders go on for a second: a server that died is seen failing them.
      await sleep(1000);
      const after = await getOnce(port, '/ping');
      const answer = line === undefined ? 'connection closed without an answer' : `"${line}"`;
      return { outcome: `${answer} after ${round(ms)} ms; GET /ping a second later: ${after}`, ...(line?.startsWith('HTTP/') ? { refusalMs: ms } : {}) };
    });
}

/** A chunked body sent as fast as the socket takes it for 20 s to a route whose body limit is 1 MiB. */
async function endlessBody(): Promise<Result> {
  const route = { name: 'upload', method: 'POST', path: '/upload', then: [{ respond: { body: 'ok' } }] };
  return measured('http-endless-body', 'an endless chunked body to a route (`http.maxBodyBytes` 1 MiB), sent as fast as taken for 20 s', { maxBodyBytes: MB, routes: [route] }, async (server, port) => {
    const { socket, status, closed } = await rawSocket(port);
    let closedAt: number | undefined;
    void closed.then(() => (closedAt = performance.now()));
    const frame = Buffer.concat([Buffer.from(`${MB.toString(16)}\r\n`), Buffer.alloc(MB, 0x61), Buffer.from('\r\n')]);
    const before = ioAndCpu(server.pid);
    const started = performance.now();
    let statusAt: number | undefined;
    let line: string | undefined;
    void status.then((l) => {
      line = l;
      statusAt = performance.now();
    });
    let flushed = 0;
    socket.write(`POST /upload HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n`);
    while (closedAt === undefined && performance.now() - started < 20_000) {
      const ok = socket.write(frame, (error) => {
        if (!error) flushed += frame.length;
      });
      if (!ok) await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed, sleep(20_000 - (performance.now() - started))]);
      else await new Promise((resolve) => setImmediate(resolve));
    }
    const seconds = (performance.now() - started) / 1000;
    const after = ioAndCpu(server.pid);
    socket.destroy();
    const read = before && after ? after.readBytes - before.readBytes : NaN;
    const cpu = before && after ? (after.cpuSeconds - before.cpuSeconds) / seconds : NaN;
    const close = closedAt === undefined ? `still open after ${round(seconds)} s` : `closed ${round((closedAt - started) / 1000, 2)} s in`;
    const answer = line === undefined ? 'no answer' : `"${line}" after ${round((statusAt ?? started) - started)} ms`;
    return {
      outcome: `${answer}; connection ${close}; the server read ${round(read / MB)} MB (${round(flushed / MB)} MB left the client) at ${Math.round(cpu * 100)} % of a core`,
      ...(line === undefined || statusAt === undefined ? {} : { refusalMs: statusAt - started }),
    };
  });
}

/** Opens `count` sockets, 50 at a time, that never read what comes back. */
async function silentSockets(port: number, count: number): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, count - i) }, () => rawSocket(port).then((s) => s.socket)));
    for (const socket of batch) socket.pause();
    sockets.push(...batch);
  }
  return sockets;
}

/**
 * `sockets` connections each send `perSocket` pipelined `GET /ping` and never read an answer; measured for
 * 20 s from the first request. Afterwards each socket is read for 3 s to see which ones the server ended.
 */
function pipelined(sockets: number, perSocket: number): () => Promise<Result> {
  const id = `http-pipeline-${sockets}x${perSocket}`;
  const label = `${sockets.toLocaleString('en')} socket(s) x ${perSocket.toLocaleString('en')} pipelined GETs whose answers are never read, 20 s`;
  return () =>
    measured(id, label, {}, async (server, port) => {
      const open = await silentSockets(port, sockets);
      const requests = Buffer.from(`GET /ping HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`.repeat(perSocket));
      const before = ioAndCpu(server.pid);
      const started = performance.now();
      // The whole batch is handed to each socket at once: what the kernel does not take waits in the client.
      for (const socket of open) socket.write(requests);
      await sleep(20_000 - (performance.now() - started));
      const after = ioAndCpu(server.pid);
      const seconds = (performance.now() - started) / 1000;
      const read = before && after ? after.readBytes - before.readBytes : NaN;
      const cpu = before && after ? after.cpuSeconds - before.cpuSeconds : NaN;
      return {
        outcome: `${round((requests.length * sockets) / MB)} MB of requests sent; in ${round(seconds)} s the server read ${round(read / MB)} MB and used ${round(cpu)} s of CPU`,
        afterwards: async () => {
          let ended = 0;
          for (const socket of open) {
            socket.once('end', () => ended++);
            socket.resume();
          }
          await sleep(3000);
          for (const socket of open) socket.destroy();
          return `then read for 3 s: ${ended}/${sockets} ended by the server`;
        },
      };
    });
}

/** A link in the configuration's folder to /etc/passwd, served by `respond.file`. */
async function symlinkOut(): Promise<Result> {
  const id = 'http-symlink';
  const label = 'a link in the configuration\'s folder to /etc/passwd, served by `respond.file`';
  const dir = tempDir();
  symlinkSync('/etc/passwd', join(dir, 'passwd'));
  const launched = await launch({ http: { routes: [{ name: 'linked', method: 'GET', path: '/passwd', then: [{ respond: { file: 'passwd' } }] }] } }, dir);
  if ('failed' in launched) return { id, label, refusalMs: round(launched.afterMs), outcome: `refused at load: ${launched.failed}` };
  const { server, port } = launched;
  const response = await fetch(`http://127.0.0.1:${port}/passwd`, { signal: AbortSignal.timeout(5000) });
  const body = await response.text();
  const alive = server.alive();
  await server.stop();
  return { id, label, alive, outcome: body.includes('root:') ? `served /etc/passwd through the link (HTTP ${response.status}, ${body.length} bytes)` : `HTTP ${response.status}, /etc/passwd not in the answer` };
}

export const HTTP_ATTACKS: { id: string; run: () => Promise<Result> }[] = [
  { id: 'http-bad-target', run: badTarget(false) },
  { id: 'http-bad-target-upgrade', run: badTarget(true) },
  { id: 'http-endless-body', run: endlessBody },
  { id: 'http-pipeline-500x2000', run: pipelined(500, 2000) },
  { id: 'http-pipeline-1x122000', run: pipelined(1, 122_000) },
  { id: 'http-symlink', run: symlinkOut },
];
