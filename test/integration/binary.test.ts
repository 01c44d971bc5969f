import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../src/index.ts';
import { checkConfig } from '../../src/config/validate.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const NOT_UTF8 = Buffer.from([0x00, 0xff, 0x01, 0xfe, 0x80, 0xc3]);

describe('binary frames', () => {
  it('a guide endpoint reads binary UTF-8 JSON as the same text; other binary gets an error and the connection stays usable', async () => {
    const { ws } = await startServer({ endpoints: [{ path: '/ws', streams: [] }], websocket: { heartbeatInterval: 0 } });
    const client = await wsConnect(ws());
    await client.nextOfType('connected');
    client.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });
    const pong = await client.nextRaw();
    assert.deepEqual([JSON.parse(pong.text).type, pong.isBinary], ['pong', false]);
    client.ws.send(NOT_UTF8, { binary: true });
    const error = await client.next();
    assert.deepEqual([error['type'], error['code']], ['error', 'MW_BINARY_NOT_SUPPORTED']);
    client.send({ type: 'ping' });
    assert.equal((await client.next())['type'], 'pong');
  });

  it('rules match binary by kind, length and prefix, and answer with binary: exact echoes of binary and of text', async () => {
    const log = captureLog('warn');
    const { ws } = await startServer(
      {
        endpoints: [
          {
            path: '/raw',
            dialect: 'raw',
            rules: [
              { name: 'magic', when: { binary: { prefix: 'cafe', length: '4-8' } }, then: [{ replyBinary: 'b2s=' }] },
              { name: 'as-json', when: { binary: { prefix: '7b' } }, then: [{ replyBinary: { seen: '{{message.n}}', size: '{{messageBase64}}' } }] },
              { name: 'echo-binary', when: { binary: true }, then: [{ replyBinary: '{{messageBase64}}' }] },
              { name: 'bad-base64', when: { text: '^encode:' }, then: [{ replyBinary: '{{messageText}}' }] },
              { name: 'echo-text', when: { binary: false }, then: [{ reply: '{{messageText}}' }] },
            ],
          },
        ],
        websocket: { heartbeatInterval: 0 },
      },
      { logger: log.logger },
    );
    const client = await wsConnect(ws('/raw'));

    client.ws.send(NOT_UTF8, { binary: true });
    const echoed = await client.nextRaw();
    assert.ok(echoed.isBinary, 'binary comes back as binary');
    assert.ok(echoed.data.equals(NOT_UTF8), 'byte for byte');

    client.ws.send(Buffer.from([0xca, 0xfe, 0x01, 0x02]), { binary: true });
    const magic = await client.nextRaw();
    assert.deepEqual([magic.isBinary, magic.text], [true, 'ok']);
    // Too short for the length range, and a different prefix: both fall through to the echo.
    for (const bytes of [[0xca, 0xfe], [0xbe, 0xef, 0x01, 0x02]]) {
      client.ws.send(Buffer.from(bytes), { binary: true });
      assert.ok((await client.nextRaw()).data.equals(Buffer.from(bytes)));
    }

    // Binary UTF-8 JSON is JSON to templates; a reply that is not a string is sent as its JSON bytes.
    client.ws.send(Buffer.from('{"n":7}'), { binary: true });
    const json = await client.nextRaw();
    assert.ok(json.isBinary);
    assert.deepEqual(JSON.parse(json.text), { seen: 7, size: Buffer.from('{"n":7}').toString('base64') });

    // The exact text, spacing and all, comes back as text.
    client.send('{"a": 1,  "b": 1.0}');
    const text = await client.nextRaw();
    assert.deepEqual([text.text, text.isBinary], ['{"a": 1,  "b": 1.0}', false]);

    // A template that renders something that is not base64: nothing is sent, the log says why, the
    // connection goes on.
    client.send('encode: not base64!');
    assert.match(await log.waitFor(/replyBinary is not base64/), /encode: not base64!/);
    client.send('still here');
    assert.equal((await client.nextRaw()).text, 'still here');
    assert.equal(client.pending, 0);
  });

  it('a binary stream sends binary frames: decoded base64 on the raw dialect, the envelope as bytes on the guide', async () => {
    const clock = new ManualClock();
    const { ws } = await startServer(
      {
        endpoints: [
          { path: '/raw', dialect: 'raw', streams: [{ name: 'blob', interval: 100, binary: true, data: 'AAEC/w==' }] },
          { path: '/guide', streams: [{ name: 'packed', interval: 100, binary: true, data: { x: 1 } }, { name: 'plain', interval: 100, data: { y: 2 } }] },
        ],
        websocket: { heartbeatInterval: 0 },
      },
      { clock },
    );
    const raw = await wsConnect(ws('/raw'));
    const guide = await wsConnect(ws('/guide'));
    await guide.nextOfType('connected');
    guide.send({ type: 'subscribe', event: 'packed' });
    await guide.nextOfType('subscribed');
    // The guide answers a subscribe with the stream's current data: binary too.
    const snapshot = await guide.nextRaw();
    assert.ok(snapshot.isBinary);
    assert.deepEqual(JSON.parse(snapshot.text), { type: 'event', name: 'packed', data: { x: 1 }, timestamp: JSON.parse(snapshot.text).timestamp });
    guide.send({ type: 'subscribe', event: 'plain' });
    await guide.nextOfType('subscribed');
    assert.equal((await guide.nextRaw()).isBinary, false, 'other streams stay text');

    clock.advance(100);
    const blob = await raw.nextRaw();
    assert.ok(blob.isBinary);
    assert.deepEqual([...blob.data], [0, 1, 2, 255]);
    const ticks = [await guide.nextRaw(), await guide.nextRaw()];
    assert.deepEqual(ticks.map((t) => [JSON.parse(t.text).name, t.isBinary]).sort(), [['packed', true], ['plain', false]]);
  });

  it('refuses bad binary settings at load, each with its path', () => {
    const result = checkConfig({
      endpoints: [
        {
          path: '/raw',
          dialect: 'raw',
          rules: [
            { when: { binary: { prefix: 'xyz' } }, then: [{ replyBinary: 'not base64!' }] },
            { when: { binary: { length: 'big' } }, then: [{ drop: true }] },
            { when: { binary: 'yes' }, then: [{ drop: true }] },
          ],
          streams: [{ name: 's', data: 1, binary: 'yes' }],
        },
      ],
    });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.problems, [
      'endpoints[0].streams[0].binary: expected a boolean, got the string "yes"',
      'endpoints[0].rules[0].when.binary.prefix: expected bytes as hex digits, two per byte, e.g. "cafe01"',
      'endpoints[0].rules[0].then[0].replyBinary: is not base64: "not base64!"',
      'endpoints[0].rules[1].when.binary.length: expected a number of bytes >= 0 or a range like "2000-5000"',
      'endpoints[0].rules[2].when.binary: expected true (any binary frame), false (text frames only) or { length, prefix }',
    ]);
  });
});
