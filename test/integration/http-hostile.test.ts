/**
 * The HTTP side under hostile requests: targets that are not URLs (each of which ended the process once, on
 * the plain request path and the upgrade path alike, with or without auth), then a property-based fuzzer
 * (fast-check, fixed seed) sending generated request lines, targets, headers and bodies over raw sockets to a
 * server with routes, a fallback, SSE, WebSocket, the dashboard and the admin API. After every batch the
 * server must still answer a health request. MOCKWAVE_FUZZ_RUNS sets a longer run (default 1,500 requests).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { captureLog } from '../helpers/log-capture.ts';
import { launchServer, startServer, type RunningServer } from '../helpers/server.ts';
import { handshake, rawRequest } from '../helpers/raw-ws.ts';
import { httpBackend, type HttpBackend } from '../helpers/upstream.ts';

/** Request targets that `new URL(target, base)` refuses: every one of them used to be an uncaught TypeError. */
const BAD_TARGETS = ['//[', '//[::1', 'http://x:99999/', 'http://[/', '//a b/', 'http://', '//%/', '//[/ws'];
const TOKEN = 'fuzz-token';

const CONFIG = {
  endpoints: [
    { path: '/ws', streams: [{ name: 'ticker', interval: 1000, data: { price: 1 } }] },
    { path: '/events', protocol: 'sse' as const, streams: [{ name: 'news', interval: 1000, data: { n: 1 } }] },
  ],
  http: {
    routes: [
      { method: 'GET', path: '/api/items/:id', then: [{ respond: { body: { id: '{{request.params.id}}', q: '{{request.query.q}}' } } }] },
      { method: 'POST', path: '/api/items', when: { body: { json: { kind: 'a' } } }, then: [{ respond: { status: 201, body: '{{json request.body}}' } }] },
      { method: 'PUT', path: '/api/echo', then: [{ respond: { body: { got: '{{request.body}}', h: '{{request.headers.x-a}}' } } }] },
    ],
  },
};

/** Sends raw bytes; resolves with what came back before the server closed, answered or `ms` passed. */
function exchange(port: number, bytes: string | Buffer, ms = 2000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let text = '';
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(text);
    };
    const timer = setTimeout(done, ms);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      // One status line is enough: the server answered; keep-alive would leave the socket open.
      if (/\r\n\r\n/.test(text)) done();
    });
    socket.on('connect', () => socket.write(bytes));
  });
}

async function healthy(running: RunningServer, headers: Record<string, string> = {}): Promise<void> {
  const response = await fetch(running.http('/admin/websocket/stats'), { headers, signal: AbortSignal.timeout(5000) });
  assert.equal(response.status, 200, 'the server answers a health request');
  await response.arrayBuffer();
}

describe('requests whose target is not a URL', () => {
  let open: RunningServer;
  let guarded: RunningServer;
  before(async () => {
    open = await launchServer(CONFIG);
    guarded = await launchServer({ ...CONFIG, auth: { enabled: true, tokens: [TOKEN] } });
  });
  after(() => Promise.all([open.server.stop(), guarded.server.stop()]));

  for (const [name, running, headers] of [['without auth', () => open, {}], ['with auth', () => guarded, { authorization: `Bearer ${TOKEN}` }]] as const) {
    it(`are refused with 400 on the request and upgrade paths, and the server goes on (${name})`, async () => {
      const { port } = running().info;
      for (const target of BAD_TARGETS) {
        for (const upgrade of [false, true]) {
          const extra = upgrade ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n' : '';
          const { response } = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${extra}\r\n`);
          const text = await response;
          assert.match(text, /^HTTP\/1\.1 400 /, `${target} (${upgrade ? 'upgrade' : 'request'})`);
          assert.match(text, /MW_MALFORMED_REQUEST/, target);
        }
      }
      await healthy(running(), headers);
    });
  }
});

describe('a refused token', () => {
  it('is masked in the log line of the refusal', async () => {
    const log = captureLog('info');
    const { info } = await startServer({ ...CONFIG, auth: { enabled: true, tokens: [TOKEN] } }, { logger: log.logger });
    const { response } = await rawRequest(info.port, handshake('/ws?token=not-the-token-1234&x=1'));
    assert.match(await response, /^HTTP\/1\.1 401 /);
    const line = await log.waitFor(/Refused/);
    assert.match(line, /token=\*\*\*/, line);
    assert.ok(!log.lines.join('\n').includes('not-the-token-1234'), 'the refused token is not in the log');
  });
});

describe('a fuzzer of HTTP requests (fast-check, fixed seed)', () => {
  let running: RunningServer;
  let upstream: HttpBackend;
  before(async () => {
    // The fallback's API: a loopback server that answers everything, so forwarding is fuzzed too.
    upstream = await httpBackend((request, response) => {
      request.resume();
      response.end('upstream');
    }, { closeAfterTest: false });
    running = await launchServer({ ...CONFIG, http: { ...CONFIG.http, fallback: upstream.url, maxBodyBytes: 4096, bodyTimeout: 500 } });
  });
  after(async () => {
    await running.server.stop();
    await upstream.close();
  });

  const token = fc.oneof(
    fc.constantFrom('/', '//', '[', ']', '%', '%2f', '%zz', '..', '.', '?', '#', '@', ':', ' ', '\t', '\\', '*', 'http://', 'ws', 'api', 'items', 'admin', 'events', 'metrics', 'dashboard', '\u00e9', '\u0000', '\r', '\n'),
    fc.string({ maxLength: 8 }),
  );
  const target = fc.oneof(
    fc.array(token, { maxLength: 12 }).map((parts) => parts.join('')),
    fc.webPath().map((path) => path || '/'),
    fc.constantFrom('/api/items/1?q=x', '/events', '/admin/websocket/stats', '/ws', '/admin/http/routes', '/metrics', '/', '*'),
  );
  const method = fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'HEAD', 'PATCH', 'CONNECT', 'TRACE'), fc.string({ maxLength: 6 }));
  const header = fc.tuple(
    fc.oneof(fc.constantFrom('content-type', 'content-length', 'transfer-encoding', 'accept', 'origin', 'host', 'cookie', 'authorization', 'upgrade', 'connection', 'last-event-id', 'x-a', 'content-encoding'), fc.string({ maxLength: 10 })),
    fc.oneof(fc.constantFrom('application/json', 'text/event-stream', 'chunked', 'websocket', 'Upgrade', '0', '-1', '99999999', 'gzip', 'http://evil.example', '127.0.0.1'), fc.string({ maxLength: 40 })),
  );
  const body = fc.oneof(
    fc.constant(''),
    fc.json({ maxDepth: 4 }),
    fc.constantFrom('{"kind":"a","x":1}', '{"kind":', '[[[[[[[[[[', '5\r\nhello\r\n0\r\n\r\n', 'zz\r\nbad\r\n'),
    fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  );
  const request = fc.record({ method, target, headers: fc.array(header, { maxLength: 6 }), body, version: fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1', 'HTTP/1.1') });

  it('never ends the server: after every batch it answers a health request', async () => {
    const runs = Number(process.env['MOCKWAVE_FUZZ_RUNS'] ?? 1500);
    const requests = fc.sample(request, { numRuns: runs, seed: 20261202 });
    const { port } = running.info;
    let answered = 0;
    for (let i = 0; i < requests.length; i += 50) {
      const batch = requests.slice(i, i + 50).map((r) => {
        const headers = r.headers.map(([name, value]) => `${name}: ${value}\r\n`).join('');
        return Buffer.from(`${r.method} ${r.target} ${r.version}\r\nHost: 127.0.0.1\r\n${headers}\r\n${r.body}`, 'latin1');
      });
      const replies = await Promise.all(batch.map((bytes) => exchange(port, bytes)));
      answered += replies.filter((text) => text.startsWith('HTTP/1.1 ')).length;
      await healthy(running);
    }
    // Most generated requests are answered (a status line), the rest closed: never a hang that starves the rest.
    assert.ok(answered > runs / 2, `${answered} of ${runs} answered with a status line`);
  });
});
