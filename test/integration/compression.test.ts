import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/index.ts';
import { checkConfig } from '../../src/config/validate.ts';
import { startServer } from '../helpers/server.ts';
import { upstream } from '../helpers/upstream.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';

/** Bytes the client's TCP socket has read: what crossed the wire, compressed or not. */
const wireBytes = (client: WsTestClient): number => (client.ws as unknown as { _socket: Socket })._socket.bytesRead;

const BIG = { type: 'big', rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, name: 'row', status: 'active' })) };

describe('permessage-deflate', () => {
  it('an endpoint that allows it compresses for clients that offer it and stays plain for the others; both get the same ticks in order', async () => {
    const clock = new ManualClock();
    const { ws, server } = await startServer(
      {
        endpoints: [
          {
            path: '/ws',
            perMessageDeflate: { threshold: 0 },
            streams: [{ name: 'ticker', interval: 100, data: { n: '{{counter}}' } }],
            rules: [{ when: { type: 'big' }, then: [{ reply: BIG }] }],
          },
          { path: '/plain', streams: [] },
        ],
        websocket: { heartbeatInterval: 0 },
      },
      { clock },
    );
    const zipped = await wsConnect(ws('/ws'), { perMessageDeflate: true });
    const plain = await wsConnect(ws('/ws'), { perMessageDeflate: false });
    const offeredButOff = await wsConnect(ws('/plain'), { perMessageDeflate: true });
    assert.deepEqual([zipped.ws.extensions, plain.ws.extensions, offeredButOff.ws.extensions], ['permessage-deflate', '', '']);
    const byId = new Map(server.clients().map((c) => [c.endpoint + (c.compressed ? '+z' : ''), c]));
    assert.deepEqual([...byId.keys()].sort(), ['/plain', '/ws', '/ws+z']);

    for (const client of [zipped, plain]) {
      await client.nextOfType('connected');
      client.send({ type: 'subscribe', event: 'ticker' });
      await client.nextOfType('subscribed');
      await client.nextOfType('event');
    }
    for (let tick = 0; tick < 5; tick++) clock.advance(100);
    const ticks = async (client: WsTestClient) => Promise.all(Array.from({ length: 5 }, async () => ((await client.next()) as { data: { n: number } }).data.n));
    const [a, b] = [await ticks(zipped), await ticks(plain)];
    assert.deepEqual(a, b, 'the same ticks, in the same order');
    assert.equal(new Set(a).size, 5);

    // A large, repetitive reply crosses the wire in a fraction of its size when compressed, whole either way.
    const size = JSON.stringify(BIG).length;
    const sent: number[] = [];
    for (const client of [zipped, plain]) {
      const before = wireBytes(client);
      client.send({ type: 'big' });
      const reply = await client.nextRaw();
      assert.equal(reply.text, JSON.stringify(BIG));
      sent.push(wireBytes(client) - before);
    }
    assert.ok(sent[0]! < size / 10, `compressed: ${sent[0]} bytes on the wire for ${size}`);
    assert.ok(sent[1]! > size, `plain: ${sent[1]} bytes on the wire for ${size}`);

    // Binary and text stay what they are through compression.
    zipped.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    assert.equal((await zipped.next())['type'], 'pong');
  });

  it('the proxy negotiates each side on its own: compressing client with a plain upstream, and the reverse', async () => {
    const compressingUpstream = await upstream({ perMessageDeflate: { threshold: 0 } });
    const plainUpstream = await upstream();
    const { ws } = await startServer({
      endpoints: [{ path: '/ws', streams: [] }],
      proxy: {
        enabled: true,
        routes: [
          { name: 'to-plain', url: plainUpstream.url, announce: false, perMessageDeflate: { threshold: 0 } },
          { name: 'to-zipped', url: compressingUpstream.url, announce: false, upstreamPerMessageDeflate: true },
        ],
      },
    });
    const text = JSON.stringify(BIG);
    const cases = [
      { route: 'to-plain', up: plainUpstream, client: 'permessage-deflate', upstreamSide: '' },
      { route: 'to-zipped', up: compressingUpstream, client: '', upstreamSide: 'permessage-deflate' },
    ];
    for (const c of cases) {
      const nextUp = c.up.nextConnection();
      const client = await wsConnect(ws(`/ws/proxy/${c.route}`), { perMessageDeflate: true });
      const upstreamSocket = await nextUp;
      assert.deepEqual([client.ws.extensions, upstreamSocket.extensions], [c.client, c.upstreamSide], c.route);
      client.send(text);
      assert.equal((await client.nextRaw()).text, text, `${c.route}: text echoed whole`);
      const bytes = Buffer.from([0, 255, 1, 254]);
      client.ws.send(bytes);
      const back = await client.nextRaw();
      assert.ok(back.isBinary && back.data.equals(bytes), `${c.route}: binary echoed whole`);
      await client.close();
    }
  });

  it('refuses bad compression settings at load, with their paths', () => {
    const result = checkConfig({
      endpoints: [{ path: '/ws', perMessageDeflate: { level: 12, serverMaxWindowBits: 7, threshhold: 0 } }],
      proxy: { routes: [{ name: 'r', url: 'ws://127.0.0.1:1', upstreamPerMessageDeflate: 'yes' }] },
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems, [
      'endpoints[0].perMessageDeflate.level: expected a number <= 9',
      'endpoints[0].perMessageDeflate.serverMaxWindowBits: expected a number >= 8',
      'endpoints[0].perMessageDeflate: unknown key "threshhold" (did you mean "threshold"?)',
      'proxy.routes[0].upstreamPerMessageDeflate: expected true, false or an object of permessage-deflate options (threshold, level, memLevel, serverMaxWindowBits, clientMaxWindowBits, serverNoContextTakeover, clientNoContextTakeover, concurrencyLimit)',
    ]);
  });
});
