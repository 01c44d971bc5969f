/**
 * The journal under a flood (issue 29): does it stay within `journal.maxBytes` while clients send as fast as
 * the server takes it? The built CLI with the defaults (10,000 entries, 16 MiB) and one WebSocket endpoint;
 * `--clients` WebSocket clients send 64 KiB JSON frames, each when its socket has drained below 1 MiB, and
 * as many HTTP clients POST 64 KiB bodies, one after the other, for `--seconds` (60). Every second: the
 * server's RSS and the journal's figures (GET /admin/journal?limit=1). Only 127.0.0.1; it stops by itself.
 *
 *   npm run build && npm run bench:journal-flood -- --seconds 60 --clients 8
 *   npm run bench:journal-flood -- --off        the same with the journal off, for the RSS it costs
 */
import { spawn } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { freePort } from './lib/processes.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '60' }, clients: { type: 'string', default: '8' }, off: { type: 'boolean', default: false } } });
const seconds = Number(values.seconds);
const clients = Number(values.clients);
const FRAME = JSON.stringify({ type: 'blob', password: 'hunter2', data: 'x'.repeat(64 * 1024) });
const MiB = 1024 * 1024;

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mockwave-flood-'));
  const file = join(dir, 'flood.json');
  writeFileSync(file, JSON.stringify({ journal: { enabled: !values.off }, endpoints: [{ path: '/ws', dialect: 'raw' }], http: { routes: [{ method: 'POST', path: '/api/blob', then: [{ respond: { status: 204 } }] }] } }));
  const port = await freePort();
  const server = spawn(process.execPath, [new URL('../dist/mockwave.js', import.meta.url).pathname, file, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'error'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    server.stdout.on('data', (chunk: Buffer) => String(chunk).includes('listening') && resolve());
    server.once('exit', () => reject(new Error('mockwave exited before listening')));
  });
  const base = `127.0.0.1:${port}`;
  const until = Date.now() + seconds * 1000;
  let framesSent = 0;
  let postsSent = 0;
  let postsFailed = 0;
  let samplesMissed = 0;
  const sockets = await Promise.all(
    Array.from({ length: clients }, () => new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://${base}/ws`);
      ws.once('open', () => resolve(ws)).once('error', reject);
    })),
  );
  // Each socket sends while its buffer is under 1 MiB, and waits for the write callback otherwise: event-driven, no polling.
  const pump = (ws: WebSocket): void => {
    while (Date.now() < until && ws.bufferedAmount < MiB) {
      ws.send(FRAME);
      framesSent += 1;
    }
    if (Date.now() < until) ws.send(FRAME, () => pump(ws));
  };
  for (const ws of sockets) pump(ws);
  const poster = async (): Promise<void> => {
    while (Date.now() < until) {
      // A POST the flooded server answers late may be refused (408, the body deadline) and its connection closed.
      const answered = await fetch(`http://${base}/api/blob`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: FRAME }).then((r) => r.status, () => 0);
      if (answered === 204) postsSent += 1;
      else postsFailed += 1;
    }
  };
  const posting = Array.from({ length: clients }, poster);
  const samples: { t: number; rssMB: number; kept: number; bytesMB: number; dropped: number }[] = [];
  const started = Date.now();
  while (Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // A sample the flooded server does not answer (a connection closed under load) is counted and skipped.
    const figures = values.off
      ? { kept: 0, bytes: 0, dropped: 0 }
      : await fetch(`http://${base}/admin/journal?limit=1`)
          .then(async (r) => ((await r.json()) as { data: { kept: number; bytes: number; dropped: number } }).data)
          .catch(() => undefined);
    if (figures === undefined) {
      samplesMissed += 1;
      continue;
    }
    samples.push({ t: Math.round((Date.now() - started) / 1000), rssMB: Math.round(rssOf(server.pid as number) / MiB), kept: figures.kept, bytesMB: Math.round((figures.bytes / MiB) * 10) / 10, dropped: figures.dropped });
  }
  await Promise.all(posting);
  for (const ws of sockets) ws.close();
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
  const at = (t: number): (typeof samples)[number] | undefined => samples.find((s) => s.t >= t);
  process.stdout.write(`${JSON.stringify({ seconds, clients, framesSent, postsSent, postsFailed, samplesMissed, maxJournalMB: Math.max(...samples.map((s) => s.bytesMB)), maxKept: Math.max(...samples.map((s) => s.kept)), dropped: samples.at(-1)?.dropped, rssMB: { at5: at(5)?.rssMB, at15: at(15)?.rssMB, at30: at(30)?.rssMB, last: samples.at(-1)?.rssMB, max: Math.max(...samples.map((s) => s.rssMB)) } }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
