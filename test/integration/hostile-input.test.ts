/**
 * Hostile input, from raw sockets and from `ws` clients. After every case: the server is up, the offender got
 * an `error` message or the close code RFC 6455 prescribes (1002 protocol, 1007 bad UTF-8, 1009 too big) or
 * the HTTP status of a broken handshake, a bystander subscribed to a stream saw exactly the next tick (no
 * gap, no repeat), and at the end the heap has come back down.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ManualClock, type MockServer } from '../../src/index.ts';
import { launchServer } from '../helpers/server.ts';
import { createRandom } from '../../src/util/random.ts';
import { handshake, rawConnect, rawRequest } from '../helpers/raw-ws.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const MAX_PAYLOAD = 8 * 1024 * 1024;
const clock = new ManualClock();
let server: MockServer;
let port: number;
let wsUrl: (path?: string) => string;
let bystander: WsTestClient;
let lastTick = 0;
let heapAtStart = 0;

/** The bystander gets exactly one event, the next tick, when the clock moves one interval. */
async function bystanderKeepsUp(after: string): Promise<void> {
  clock.advance(1000);
  const message = await bystander.next<{ type: string; data: { n: number } }>();
  assert.equal(message.type, 'event', `bystander after ${after}`);
  assert.equal(message.data.n, lastTick + 1, `bystander's tick after ${after}`);
  lastTick = message.data.n;
  assert.equal(bystander.pending, 0, `nothing extra for the bystander after ${after}`);
}

async function offender(): Promise<WsTestClient> {
  const client = await wsConnect(wsUrl());
  await client.nextOfType('connected');
  return client;
}

/** Sends each message and expects an `error` with this code; the connection stays usable. */
async function expectErrors(client: WsTestClient, messages: (string | Buffer)[], code: RegExp): Promise<void> {
  for (const message of messages) {
    client.send(message);
    const reply = await client.next<{ type: string; code: string }>(5000);
    assert.equal(reply.type, 'error', `reply to ${String(message).slice(0, 80)}`);
    assert.match(reply.code, code, `code for ${String(message).slice(0, 80)}`);
  }
  client.send({ type: 'ping' });
  assert.equal((await client.next<{ type: string }>())['type'], 'pong');
}


describe('hostile input', () => {
  before(async () => {
    const running = await launchServer(
      {
        websocket: { heartbeatInterval: 0, maxPayload: MAX_PAYLOAD, handshakeTimeout: 500 },
        endpoints: [
          // The bystander watches `watch`, a name no hostile client uses: a `request` renders a stream afresh (and
          // moves its counter), which is a reply to that client, not a gap. The fuzzer plays with `ticker`.
          {
            path: '/ws',
            dialect: 'guide',
            streams: [
              { name: 'watch', interval: 1000, data: { n: '{{counter}}' } },
              { name: 'ticker', interval: 1000, data: { price: '{{walk 100 1}}' } },
            ],
          },
          { path: '/c', dialect: 'cerberus', streams: [{ name: 'alerts', interval: 1000, data: { ok: true } }] },
        ],
      },
      { clock },
    );
    server = running.server;
    port = running.info.port;
    wsUrl = running.ws;
    bystander = await wsConnect(wsUrl());
    await bystander.nextOfType('connected');
    bystander.send({ type: 'subscribe', event: 'watch' });
    await bystander.nextOfType('subscribed');
    lastTick = (await bystander.nextOfType<{ data: { n: number } }>('event')).data.n;
    heapAtStart = heapAfterGc();
  });

  after(async () => {
    await bystander.close();
    await server.stop();
  });

  it('deeply nested JSON (10,000 levels): parsed without blowing the stack; a ping with it is answered', async () => {
    const client = await offender();
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    client.send(`{"type":"ping","deep":${deep}}`);
    assert.equal((await client.next())['type'], 'pong');
    await expectErrors(client, [deep, `{"type":"subscribe","event":${deep}}`], /^MW_INVALID_MESSAGE$/);
    await client.close();
    await bystanderKeepsUp('nested JSON');
  });

  it('huge strings: a 5 MB event name is refused with an error, the connection stays usable', async () => {
    const client = await offender();
    await expectErrors(client, [JSON.stringify({ type: 'subscribe', event: 'e'.repeat(5_000_000) }), JSON.stringify({ type: 'x'.repeat(5_000_000) })], /^MW_(INVALID_MESSAGE|UNKNOWN_MESSAGE_TYPE)$/);
    await client.close();
    await bystanderKeepsUp('huge strings');
  });

  it('wrong types in every field: each answered with a precise error', async () => {
    const client = await offender();
    const wrong = [
      { type: 1 },
      { type: null },
      { type: ['ping'] },
      { type: { ping: true } },
      { type: 'subscribe', event: 5 },
      { type: 'subscribe', event: null },
      { type: 'subscribe', event: '' },
      { type: 'subscribe', event: 'ticker', params: 'x' },
      { type: 'subscribe', event: 'ticker', params: [1] },
      { type: 'unsubscribe', event: { name: 'ticker' } },
      { type: 'request', event: true },
      { type: 'request' },
    ].map((m) => JSON.stringify(m));
    await expectErrors(client, [...wrong, 'true', 'null', '42', '"ping"', '', '{', '{"type":"ping",}'], /^MW_(INVALID_MESSAGE|INVALID_JSON)$/);
    // The same JSON in binary frames reads like the text; binary that is not JSON is refused as binary.
    await expectErrors(client, wrong.map((m) => Buffer.from(m)), /^MW_INVALID_MESSAGE$/);
    await expectErrors(client, [Buffer.from([0, 1, 2, 3]), Buffer.from([0xff, 0xfe]), Buffer.from('{'), Buffer.alloc(0)], /^MW_BINARY_NOT_SUPPORTED$/);
    await client.close();
    await bystanderKeepsUp('wrong types');
  });

  it('a message fragmented over three frames is reassembled and answered', async () => {
    const raw = await rawConnect(port);
    assert.equal(JSON.parse((await raw.nextFrame()).payload.toString())['type'], 'connected');
    raw.sendFrame(0x1, '{"type":', { fin: false });
    raw.sendFrame(0x0, '"pi', { fin: false });
    raw.sendFrame(0x9, 'in between'); // a control frame may arrive between fragments
    raw.sendFrame(0x0, 'ng"}');
    const frames = [await raw.nextFrame(), await raw.nextFrame()];
    assert.deepEqual(
      frames.map((f) => (f.opcode === 0xa ? 'pong frame' : JSON.parse(f.payload.toString())['type'])),
      ['pong frame', 'pong'],
    );
    raw.socket.destroy();
    await bystanderKeepsUp('fragments');
  });

  const protocolErrors: [string, (raw: Awaited<ReturnType<typeof rawConnect>>) => void, number][] = [
    ['a continuation frame with nothing to continue', (raw) => raw.sendFrame(0x0, 'orphan'), 1002],
    ['a ping with a 126-byte payload (control frames are at most 125)', (raw) => raw.sendFrame(0x9, Buffer.alloc(126, 1)), 1002],
    ['a fragmented control frame', (raw) => raw.sendFrame(0x9, 'x', { fin: false }), 1002],
    ['an unmasked client frame', (raw) => raw.sendFrame(0x1, '{"type":"ping"}', { mask: false }), 1002],
    ['a reserved opcode (0x3)', (raw) => raw.sendFrame(0x3, 'x'), 1002],
    ['RSV1 set with no extension negotiated', (raw) => raw.sendFrame(0x1, '{"type":"ping"}', { rsv: 4 }), 1002],
    ['a text frame that is not UTF-8', (raw) => raw.sendFrame(0x1, Buffer.from([0xc3, 0x28])), 1007],
    ['a message over maxPayload', (raw) => raw.sendFrame(0x1, Buffer.alloc(MAX_PAYLOAD + 1, 0x61)), 1009],
  ];
  for (const [name, send, code] of protocolErrors) {
    it(`${name}: closed with ${code}`, async () => {
      const raw = await rawConnect(port);
      await raw.nextFrame(); // connected
      send(raw);
      assert.equal(await raw.closeCode(), code);
      raw.socket.destroy();
      await bystanderKeepsUp(name);
    });
  }

  it('a handshake with 10,000 headers, and one with a 100 KB header: 431, nothing else disturbed', async () => {
    const many = handshake().replace('\r\n\r\n', `\r\n${Array.from({ length: 10_000 }, (_, i) => `X-H${i}: v`).join('\r\n')}\r\n\r\n`);
    const huge = handshake().replace('\r\n\r\n', `\r\nX-Big: ${'b'.repeat(100_000)}\r\n\r\n`);
    for (const request of [many, huge]) {
      const { response } = await rawRequest(port, request);
      const text = await response;
      assert.match(text, /^HTTP\/1\.1 431 /);
      assert.match(text, /MW_HEADERS_TOO_LARGE/);
    }
    await bystanderKeepsUp('huge handshakes');
  });

  it('bytes that are not HTTP: 400 and closed', async () => {
    const { response } = await rawRequest(port, Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x01, 0x00]));
    assert.match(await response, /^HTTP\/1\.1 400 [\s\S]*MW_MALFORMED_REQUEST/);
    await bystanderKeepsUp('not HTTP');
  });

  it('a handshake that never finishes (slowloris) is closed with 408 near handshakeTimeout', async () => {
    const started = Date.now();
    const { socket, response } = await rawRequest(port, 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    // Trickle a header line every 100 ms; bounded, and stops as soon as the server hangs up.
    for (let i = 0; i < 50 && !socket.destroyed && socket.writable; i++) {
      socket.write(`X-Slow-${i}: y\r\n`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const text = await response;
    assert.match(text, /^HTTP\/1\.1 408 [\s\S]*MW_HANDSHAKE_TIMEOUT/);
    // Closed by the server, before the 5 s of trickling end (the margin is for a loaded machine).
    assert.ok(Date.now() - started < 4500, `closed after ${Date.now() - started} ms (handshakeTimeout 500)`);
    await bystanderKeepsUp('slowloris');
  });

  it('5,000 subscribe messages to as many names: 5,000 errors, in order, and the client is still served', async () => {
    const client = await offender();
    for (let i = 0; i < 5000; i++) client.send({ type: 'subscribe', event: `name-${i}` });
    for (let i = 0; i < 5000; i++) {
      const reply = await client.next<{ type: string; code: string; error: string }>(5000);
      assert.equal(reply.code, 'MW_UNKNOWN_EVENT');
      assert.match(reply.error, new RegExp(`name-${i}\\b`));
    }
    client.send({ type: 'ping' });
    assert.equal((await client.next())['type'], 'pong');
    await client.close();
    await bystanderKeepsUp('5,000 subscriptions');
  });

  it('a seeded fuzzer of protocol messages: every message answered sensibly, no connection lost', async () => {
    const random = createRandom(20261123);
    const types = ['subscribe', 'unsubscribe', 'request', 'ping', 'heartbeat', 'event', '', 'SUBSCRIBE', '__proto__', 'constructor'];
    const values = (): unknown => {
      switch (random.int(0, 9)) {
        case 0: return random.pick(['ticker', 'alerts', 'nope', '', '__proto__']);
        case 1: return random.int(-1e9, 1e9);
        case 2: return null;
        case 3: return [random.pick(['ticker', 'alerts', 1, null])];
        case 4: return { topics: [random.pick(['alerts', 'ticker', 5, ''])] };
        case 5: return { topics: random.pick([[], 'alerts', null, Array.from({ length: 200 }, (_, i) => `t${i}`)]) };
        case 6: return 'x'.repeat(random.int(0, 400));
        case 7: return random.next() < 0.5;
        case 8: return { __proto__: { polluted: true }, constructor: 'x' };
        default: return undefined;
      }
    };
    const message = (): string => {
      const shape = random.int(0, 9);
      if (shape === 0) return String.fromCharCode(...Array.from({ length: random.int(0, 40) }, () => random.int(32, 126)));
      const object: Record<string, unknown> = { type: random.pick(types) };
      for (const key of ['event', 'payload', 'params', 'data', 'id']) if (random.next() < 0.5) object[key] = values();
      const text = JSON.stringify(object);
      return shape === 1 ? text.slice(0, random.int(0, text.length)) : text;
    };
    for (const [path, count] of [['/ws', 2000], ['/c', 1000]] as const) {
      const client = await wsConnect(wsUrl(path));
      if (path === '/ws') await client.nextOfType('connected');
      for (let i = 0; i < count; i++) {
        client.send(message());
        // Bounded drain: whatever came back so far must be well-formed JSON with a type.
        while (client.pending > 0) {
          const reply = await client.next<{ type: unknown }>();
          assert.equal(typeof reply.type, 'string');
        }
      }
      client.send(path === '/ws' ? { type: 'ping' } : { type: 'heartbeat', payload: {} });
      await client.nextOfType('pong', 5000);
      assert.equal(client.ws.readyState, client.ws.OPEN, `${path}: still connected after ${count} fuzzed messages`);
      await client.close();
    }
    await bystanderKeepsUp('the fuzzer');
  });

  it('afterwards: the server holds only the bystander, and the heap came back down', async () => {
    assert.equal(server.stats().connectedClients, 1);
    const grown = heapAfterGc() - heapAtStart;
    assert.ok(grown < 20 * 1024 * 1024, `heap grew ${Math.round(grown / 1024)} KiB over the suite`);
    await bystanderKeepsUp('the whole suite');
  });
});
