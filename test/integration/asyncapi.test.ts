/**
 * The AsyncAPI import's own behaviour: generated data valid against each document's schemas, the CLI's
 * report and --print-config, overlays, x-mockwave, and documents it must refuse. Serving every public
 * document end to end is asyncapi-public.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { asyncApiToConfig } from '../../src/asyncapi/to-config.ts';
import { loadAsyncApi } from '../../src/asyncapi/document.ts';
import { readModel } from '../../src/asyncapi/model.ts';
import { createSchemaSampler, validatorFor } from '../../src/data/json-schema.ts';
import { ROOT, runMockwave } from '../helpers/cli.ts';
import { captureLog } from '../helpers/log-capture.ts';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';

// Three public documents of different versions and sides (2.6.0; 2.0.0 that the official parser rejects; 3.0.0
// written from the client's side), copied into the repository with their origin and licence, and our own.
const PUBLIC = join(ROOT, 'test/fixtures/asyncapi/public');
const DOCUMENTS = [
  join(PUBLIC, 'spec-2.6.0/websocket-gemini.yml'),
  join(PUBLIC, 'website/kraken-websocket-2.0.0-from-asyncapi-blog.yml'),
  join(PUBLIC, 'generator/asyncapi-slack-client.yml'),
  join(ROOT, 'test/fixtures/asyncapi/orders-3.0.yaml'),
];

type Obj = Record<string, unknown>;

/** A 2.6.0 document whose one channel, /feed, sends the messages given as `oneOf` items. */
function feedDocument(name: string, items: readonly string[]): string {
  const header = ['asyncapi: 2.6.0', `info: { title: ${name}, version: "1" }`, 'servers: { local: { url: localhost, protocol: ws } }', 'channels:', '  /feed:', '    subscribe:', '      message:', '        oneOf:'];
  return writeDocument(name, [...header, ...items]);
}

/** A document written into a temporary folder (removed after the file's tests); its path. */
function writeDocument(name: string, lines: readonly string[]): string {
  const dir = tempDir('asyncapi-doc');
  writeFileSync(join(dir, name), lines.join('\n'));
  return join(dir, name);
}

describe('AsyncAPI import', () => {
  it('finds the public documents (test/fixtures/asyncapi/public) and our fixture', () => {
    for (const file of DOCUMENTS) assert.ok(existsSync(file), `${file} is missing`);
  });

  for (const file of DOCUMENTS) {
    const name = file.split('/').pop() as string;
    it(`${name}: every generated message of every described message validates against its schema`, () => {
      const model = readModel(loadAsyncApi(file));
      let checked = 0;
      for (const channel of model.channels) {
        const messages = [...channel.serverSends, ...channel.clientSends.flatMap((c) => [c.message, ...c.replies])];
        for (const message of messages) {
          const check = validatorFor(message.schema);
          const sampler = createSchemaSampler({ schema: message.schema, examples: message.examples, seed: 11, now: Date.now, label: message.name });
          for (let i = 0; i < 25; i++) {
            const value = sampler.next();
            assert.equal(check(value), undefined, `${name} ${message.name}: ${JSON.stringify(value)}`);
            checked++;
          }
        }
      }
      assert.ok(checked >= 25);
    });
  }

  it('the CLI serves a document, reports what it mapped and skipped, and --print-config shows the derived configuration', async () => {
    for (const document of DOCUMENTS) {
      const derived = runMockwave([document, '--print-config']);
      assert.equal((await derived.exited).code, 0, `${document}: ${derived.errors()}`);
      assert.ok((JSON.parse(derived.output()) as { endpoints: unknown[] }).endpoints.length > 0, document);
    }
    const file = join(ROOT, 'test/fixtures/asyncapi/orders-3.0.yaml');
    const printed = runMockwave([file, '--print-config']);
    assert.equal((await printed.exited).code, 0);
    const config = JSON.parse(printed.output()) as { endpoints: { path: string; dialect: string; streams: { name: string; interval: number; generator: string }[] }[] };
    assert.deepEqual(config.endpoints.map((e) => [e.path, e.dialect, e.streams.map((s) => [s.name, s.interval, s.generator])]), [['/orders/:account', 'raw', [['quote', 200, 'jsonSchema']]]]);

    const cli = runMockwave([file, '--port', '0', '--host', '127.0.0.1']);
    await cli.waitFor(/placeOrder \(messages valid against its schema\) -> orderAccepted \(copies \/inReplyTo when the client sent it\)/);
    assert.match(cli.output(), /skipped channel audit: none of its servers speaks WebSocket/);
    assert.match(cli.output(), /read from the server's side: it answers placeOrder/);
    assert.match(cli.output(), /ws:\/\/127\.0\.0\.1:\d+\/orders\/:account/);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  });

  it('a sidecar overlay sets intervals and adds rules without touching the document; --asyncapi-side inverts', async () => {
    const dir = tempDir('asyncapi');
    mkdirSync(join(dir, 'schemas'));
    copyFileSync(join(ROOT, 'test/fixtures/asyncapi/orders-3.0.yaml'), join(dir, 'orders.yaml'));
    copyFileSync(join(ROOT, 'test/fixtures/asyncapi/schemas/order.yaml'), join(dir, 'schemas/order.yaml'));
    writeFileSync(
      join(dir, 'orders.mockwave.yaml'),
      'endpoints:\n  - path: /orders/:account\n    streams: [{ name: quote, interval: 50 }]\n    rules:\n      - when: { type: cancel }\n        then: [{ reply: { type: cancelled, id: "{{message.id}}" } }]\n',
    );
    const printed = runMockwave([join(dir, 'orders.yaml'), '--print-config']);
    assert.equal((await printed.exited).code, 0, printed.errors());
    const config = JSON.parse(printed.output()) as { endpoints: { streams: { name: string; interval: number }[]; rules: { when: Obj }[] }[] };
    assert.equal(config.endpoints[0]?.streams[0]?.interval, 50);
    // The overlay's rules come first; then the document's (matching by schema), then the catch-all.
    assert.deepEqual(config.endpoints[0]?.rules.map((r) => Object.keys(r.when)), [['type'], ['schema'], ['json'], ['text']]);

    // The overlay steers `quote` as a stream: from the client's side there is none, so it goes too.
    rmSync(join(dir, 'orders.mockwave.yaml'));
    const inverted = runMockwave([join(dir, 'orders.yaml'), '--print-config', '--asyncapi-side', 'client']);
    assert.equal((await inverted.exited).code, 0, inverted.errors());
    const swapped = JSON.parse(inverted.output()) as { endpoints: { streams: { name: string }[] }[] };
    // From the client's side, placeOrder is what the server sends and quote what clients send.
    assert.deepEqual(swapped.endpoints[0]?.streams.map((s) => s.name), ['placeOrder']);

    const bad = runMockwave([join(dir, 'orders.yaml'), '--asyncapi-side', 'sideways']);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.errors(), /--asyncapi-side: expected server or client, got "sideways"/);
  });

  it('x-mockwave in the document picks an example, sets an interval, or leaves a message out', () => {
    const xFile = feedDocument('x.yaml', [
      '          - name: tick',
      '            x-mockwave: { example: 1, interval: 30 }',
      '            payload: { type: object, properties: { n: { type: integer } } }',
      '            examples: [{ payload: { n: 1 } }, { payload: { n: 2 } }]',
      '          - name: noise',
      '            x-mockwave: { disabled: true }',
      '            payload: { type: string }',
      '',
    ]);
    const { config } = asyncApiToConfig(xFile);
    const streams = (config['endpoints'] as { streams: { name: string; interval: number; options: { examples: unknown[] } }[] }[])[0]?.streams;
    assert.deepEqual(streams?.map((s) => [s.name, s.interval, s.options.examples]), [['tick', 30, [{ n: 2 }]]]);
  });

  it('a document that is not AsyncAPI 2 or 3, or a missing $ref, is reported clearly', async () => {
    const dir = tempDir('asyncapi-bad');
    writeFileSync(join(dir, 'old.yaml'), 'asyncapi: 1.2.0\ninfo: { title: old }\n');
    const old = runMockwave([join(dir, 'old.yaml'), '--print-config']);
    assert.equal((await old.exited).code, 2);
    assert.match(old.errors(), /AsyncAPI 1\.2\.0 is not supported \(2\.x and 3\.x are\)/);
    // A message that leads nowhere is left out, never served as random data; with nothing left to serve
    // the document is refused (exit 2), with the report saying why.
    writeFileSync(join(dir, 'dangling.yaml'), 'asyncapi: 2.6.0\ninfo: { title: t, version: "1" }\nchannels:\n  /x:\n    subscribe:\n      message: { $ref: "#/components/messages/nope" }\n');
    assert.throws(
      () => asyncApiToConfig(join(dir, 'dangling.yaml')),
      (error: { code?: string; message?: string; details?: string[] }) =>
        error.code === 'MW_CONFIG_INVALID' && /nothing to serve/.test(error.message ?? '') && (error.details ?? []).some((line) => /#\/components\/messages\/nope: nothing there/.test(line)) && (error.details ?? []).some((line) => /skipped message .* refers to something the document does not have/.test(line)),
    );
    const refused = runMockwave([join(dir, 'dangling.yaml'), '--print-config']);
    assert.equal((await refused.exited).code, 2);
    assert.match(refused.errors(), /nothing to serve/);
  });

  it('Kraken 3.0 (channels sharing "/", a reply naming only a channel): one endpoint; copies only what the client sent; logs what is not described', async () => {
    const file = join(ROOT, 'test/fixtures/asyncapi/public/spec-3.0.0/kraken-websocket-request-reply-multiple-channels-asyncapi.yml');
    const { config } = asyncApiToConfig(file);
    assert.deepEqual((config['endpoints'] as Obj[]).map((e) => e['path']), ['/'], 'six channels at "/" are one endpoint');
    const log = captureLog('warn');
    const endpoints = (config['endpoints'] as Obj[]).map((e) => ({ ...e, streams: (e['streams'] as Obj[]).map((s) => ({ ...s, interval: undefined })) }));
    const { ws, http, server } = await startServer({ endpoints, websocket: { heartbeatInterval: 0 } } as never, { logger: log.logger });
    const client = await wsConnect(ws('/'));
    const status = await client.next<Obj>();
    assert.equal(status['event'], 'systemStatus', 'sent once, on connect');

    client.send({ event: 'ping', reqid: 42 });
    assert.deepEqual(await client.next<Obj>(), { event: 'pong', reqid: 42 });
    // The reply's reqid is there only when the client sent one.
    client.send({ event: 'ping' });
    const bare = await client.next<Obj>();
    assert.equal(bare['event'], 'pong');
    assert.ok(!('reqid' in bare), `no reqid the client never sent: ${JSON.stringify(bare)}`);

    // Not a described message (a reqid of the wrong type, an array, plain text): no answer, one log line per burst.
    // A message with ping's fixed fields but not its schema is a near miss of ping: the log names it.
    client.send('{"event":"ping","reqid":"abc"}');
    assert.match(await log.waitFor(/fixed fields of ping/), /sent a message with the fixed fields of ping \(\{"event":"ping"\}\) that does not match its schema/);
    await new Promise((resolve) => setTimeout(resolve, 1100)); // the log says one line per client per second
    for (const wrong of ['[{"event":"ping"}]', 'hello']) client.send(wrong);
    assert.match(await log.waitFor(/does not describe/), /sent a message the AsyncAPI document does not describe \(it describes: ping, subscribe, unsubscribe\)/);
    await client.expectSilence(200);
    const rules = server.stats().endpoints[0]?.rules ?? [];
    assert.deepEqual([rules.find((r) => r.name === 'near ping')?.hits, rules.find((r) => r.name === 'not described')?.hits], [1, 2]);
    // A person publishing by hand is not stopped, but told when the message breaks the stream's schema.
    const published = await fetch(http('/admin/websocket/publish'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ event: 'heartbeat', data: { event: 'nope' } }) });
    const answer = ((await published.json()) as { data: { delivered: number; schemaProblem?: string } }).data;
    assert.match(answer.schemaProblem ?? '', /\/event must be equal to constant/);
    assert.deepEqual(rules.find((r) => r.name === 'onConnect')?.hits, 1);
    await client.close();
  });

  it('a reply that would break its schema with the copied value is not sent: it is logged, counted, and answered with the document\'s error message', async () => {
    const looseFile = writeDocument('loose.yaml', [
      'asyncapi: 3.0.0',
      'info: { title: loose, version: "1" }',
      'servers: { local: { host: localhost, protocol: ws } }',
      'channels:',
      '  rpc:',
      '    address: /rpc',
      '    messages:',
      '      call: { payload: { type: object, required: [method], properties: { method: { const: call }, id: { type: [string, integer] } } } }',
      '      result: { payload: { type: object, required: [ok], properties: { ok: { const: true }, id: { type: integer } } } }',
      '      error: { payload: { type: object, required: [error], properties: { error: { type: string, minLength: 1 } } } }',
      'operations:',
      '  answer: { action: receive, channel: { $ref: "#/channels/rpc" }, messages: [{ $ref: "#/channels/rpc/messages/call" }], reply: { messages: [{ $ref: "#/channels/rpc/messages/result" }] } }',
      '  fail: { action: send, channel: { $ref: "#/channels/rpc" }, messages: [{ $ref: "#/channels/rpc/messages/error" }] }',
      '',
    ]);
    const { config, report } = asyncApiToConfig(looseFile);
    assert.ok(report.some((line) => /error: sent only when asked/.test(line)) && report.some((line) => /answered with error/.test(line)), report.join('\n'));
    const log = captureLog('error');
    const { ws, server } = await startServer({ ...config, websocket: { heartbeatInterval: 0 } } as never, { logger: log.logger });
    const client = await wsConnect(ws('/rpc'));
    client.send({ method: 'call', id: 7 });
    assert.deepEqual(await client.next<Obj>(), { ok: true, id: 7 });
    client.send({ method: 'call', id: 'seven' });
    const error = await client.next<Obj>();
    assert.equal(typeof error['error'], 'string', `the document's error message: ${JSON.stringify(error)}`);
    assert.match(await log.waitFor(/Rule call -> result failed/), /would not match its schema .*id.* not sent/);
    await client.expectSilence(200);
    assert.equal(server.stats().endpoints[0]?.rules.find((r) => r.name === 'call -> result')?.failures, 1);
    await client.close();
  });

  it('addresses: a parameter is exactly one non-empty segment; the server pathname is kept', async () => {
    const gemini = asyncApiToConfig(join(ROOT, 'test/fixtures/asyncapi/public/spec-3.0.0/websocket-gemini-asyncapi.yml'));
    const { ws } = await startServer({ ...gemini.config, log: { level: 'silent' } } as never);
    assert.ok((await wsConnect(ws('/v1/marketdata/btcusd'))) !== undefined);
    for (const path of ['/v1/marketdata/', '/v1/marketdata/btcusd/extra', '/v1/marketdata']) {
      await assert.rejects(wsConnect(ws(path)), (error: { status?: number }) => error.status === 404, path);
    }
    // The document's enum limits the parameter.
    await assert.rejects(wsConnect(ws('/v1/marketdata/xrpusd')), (error: { status?: number }) => error.status === 404);
    assert.match(String((gemini.config['endpoints'] as Obj[])[0]?.['path']), /^\/v1\/marketdata\/:symbol\(btcusd\|ethbtc\|/);
    const components = asyncApiToConfig(join(ROOT, 'test/fixtures/asyncapi/public/generator/asyncapi-websocket-components.yml'));
    assert.deepEqual((components.config['endpoints'] as Obj[]).map((e) => e['path']), ['/ws/test', '/test', '/ws/:symbol(btcusd|ethusd)/test'], 'a server variable\'s enum too');
    const postman = asyncApiToConfig(join(ROOT, 'test/fixtures/asyncapi/public/generator/asyncapi-postman-echo.yml'));
    assert.deepEqual((postman.config['endpoints'] as Obj[]).map((e) => e['path']), ['/raw'], 'pathname /raw, then the channel address /');
  });

  it('$refs: through a channel that is itself a $ref to another file, and names written with an unescaped "/"', () => {
    const hoppscotch = asyncApiToConfig(join(ROOT, 'test/fixtures/asyncapi/public/generator/asyncapi-hoppscotch-server.yml'));
    assert.ok(!hoppscotch.report.some((line) => /nothing there/.test(line)), hoppscotch.report.join('\n'));
    const stream = ((hoppscotch.config['endpoints'] as Obj[])[0]?.['streams'] as Obj[])[0];
    assert.equal(stream?.['name'], 'timestamp');
    assert.notDeepEqual((stream?.['options'] as Obj)['schema'], {}, 'the real schema, not an empty one');

    const slashFile = feedDocument('slash.yaml', [
      '          - { name: good, payload: { $ref: "#/components/schemas/orders/v1" } }',
      '          - { name: gone, payload: { $ref: "#/components/schemas/orders/v9" } }',
      'components:',
      '  schemas:',
      '    orders/v1: { type: object, required: [n], properties: { n: { const: 1 } } }',
      '',
    ]);
    const { config, report } = asyncApiToConfig(slashFile);
    const streams = (config['endpoints'] as Obj[])[0]?.['streams'] as Obj[];
    assert.deepEqual(streams.map((s) => [s['name'], (s['options'] as Obj)['schema']]), [['good', { type: 'object', required: ['n'], properties: { n: { const: 1 } } }]]);
    assert.ok(report.some((line) => /skipped message gone on \/feed: its schema refers to something the document does not have/.test(line)), report.join('\n'));
  });

  it('whose side: said by x-mockwave-side, the title, or the messages; the report gives the reason', () => {
    // A generated client reference: its title says nothing, but read as a server it would send requests.
    const clientRef = writeDocument('client-ref.yaml', [
      'asyncapi: 2.6.0',
      'info: { title: Exchange API, version: "1" }',
      'servers: { prod: { url: exchange.example, protocol: wss } }',
      'channels:',
      '  /:',
      '    publish:',
      '      message: { oneOf: [{ name: tradeEvent, payload: { type: object, required: [price], properties: { price: { type: number } } } }, { name: orderResponse, payload: { type: object } }] }',
      '    subscribe:',
      '      message: { oneOf: [{ name: subscribeRequest, payload: { type: object } }, { name: orderRequest, payload: { type: object } }] }',
      '',
    ]);
    const imported = asyncApiToConfig(clientRef);
    assert.equal(imported.model.side, 'client');
    assert.match(imported.report[1] ?? '', /read from the client's side: read as a server, it would send the request subscribeRequest/);
    assert.deepEqual(((imported.config['endpoints'] as Obj[])[0]?.['streams'] as Obj[]).map((s) => s['name']), ['tradeEvent', 'orderResponse']);
  });
});
