/**
 * AsyncAPI documents nobody here wrote (../shared/asyncapi: Gemini 2.6, Kraken 2.0, Slack 3.0 from the
 * client's side) and our own 3.0 fixture (correlationId, a channel parameter, a $ref to another file, a
 * non-WebSocket server): each becomes a running mock; a client connected to each channel receives messages
 * valid against the document's schemas, and every described request gets a valid reply carrying the
 * request's correlation value. Validation is ajv against the schemas as the document states them.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asyncApiToConfig } from '../../src/asyncapi/to-config.ts';
import { loadAsyncApi } from '../../src/asyncapi/document.ts';
import { readModel } from '../../src/asyncapi/model.ts';
import { createSchemaSampler, validatorFor } from '../../src/data/json-schema.ts';
import { ROOT, runMockwave } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

const SHARED = join(ROOT, '..', 'shared', 'asyncapi');
const DOCUMENTS = [
  join(SHARED, 'gemini-websocket-2.6.0.yml'),
  join(SHARED, 'kraken-websocket-2.0.0-from-asyncapi-blog.yml'),
  join(SHARED, 'slack-socket-mode-client-3.0.0.yml'),
  join(ROOT, 'test/fixtures/asyncapi/orders-3.0.yaml'),
];

/**
 * Which field of each request comes back in which field of its reply, read from the documents by a person
 * (correlationId locations, or a field both schemas name): the oracle for the correlation check, so the
 * check does not trust the configuration the import derived.
 */
const CORRELATIONS: Readonly<Record<string, Readonly<Record<string, { readonly from: string; readonly to: string }>>>> = {
  'gemini-websocket-2.6.0.yml': {},
  'kraken-websocket-2.0.0-from-asyncapi-blog.yml': {
    ping: { from: '/reqid', to: '/reqid' },
    subscribe: { from: '/reqid', to: '/reqid' },
    unsubscribe: { from: '/reqid', to: '/reqid' },
  },
  'slack-socket-mode-client-3.0.0.yml': {},
  'orders-3.0.yaml': { placeOrder: { from: '/clientOrderId', to: '/inReplyTo' } },
};

type Obj = Record<string, unknown>;

/** A request for a client message: generated from its schema, with a known correlation value. */
function request(schema: unknown, correlation: string | undefined, value: unknown): Obj {
  const sampler = createSchemaSampler({ schema, seed: 7, now: Date.now, label: 'request' });
  const body = structuredClone(sampler.next()) as Obj;
  if (correlation !== undefined) body[correlation.replace(/^\//, '')] = value;
  return body;
}

describe('AsyncAPI import', () => {
  it('finds the shared documents (../shared/asyncapi) and our fixture', () => {
    for (const file of DOCUMENTS) assert.ok(existsSync(file), `${file} is missing`);
  });

  for (const file of DOCUMENTS) {
    const name = file.split('/').pop() as string;
    it(`${name}: every generated message of every described message validates against its schema`, () => {
      const model = readModel(loadAsyncApi(file));
      let checked = 0;
      for (const channel of model.channels) {
        const messages = [...channel.serverSends, ...channel.clientSends.flatMap((c) => (c.reply === undefined ? [c.message] : [c.message, c.reply]))];
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

    it(`${name}: served; each channel streams schema-valid messages and answers each request with the right correlation`, async () => {
      const { config, model } = asyncApiToConfig(file);
      const endpoints: Obj[] = (config['endpoints'] as Obj[]).map((e): Obj => ({ ...e, streams: (e['streams'] as Obj[]).map((s) => ({ ...s, interval: 20 })) }));
      const { ws } = await startServer({ endpoints } as never);
      for (const channel of model.channels) {
        const path = channel.address.replace(/\{[^}]+\}/g, 'btcusd');
        const client = await wsConnect(ws(path.startsWith('/') ? path : `/${path}`));
        const schemas = channel.serverSends.map((m) => ({ name: m.name, check: validatorFor(m.schema) }));
        const replies = new Set(channel.clientSends.flatMap((c) => (c.reply === undefined ? [] : [c.reply.name])));
        const streamed = schemas.filter((s) => !replies.has(s.name));
        if (streamed.length > 0) {
          for (let i = 0; i < 2 * streamed.length; i++) {
            const message = await client.next(3000);
            assert.ok(streamed.some((s) => s.check(message) === undefined), `${name} ${channel.address}: ${JSON.stringify(message)} matches none of ${streamed.map((s) => s.name).join(', ')}`);
          }
        }
        let n = 1000;
        const expected = CORRELATIONS[name] ?? {};
        for (const { message, reply } of channel.clientSends) {
          if (reply === undefined) continue;
          const check = validatorFor(reply.schema);
          const pair = expected[message.name];
          // A string where the document allows one, else a number: the value must come back unchanged.
          const value = pair === undefined ? undefined : message.correlation !== undefined ? `co-${n++}` : n++;
          client.send(request(message.schema, pair?.from, value));
          let got: Obj | undefined;
          for (let i = 0; i < 200 && got === undefined; i++) {
            const candidate = await client.next<Obj>(3000);
            if (check(candidate) === undefined && (pair === undefined || candidate[pair.to.replace(/^\//, '')] === value)) got = candidate;
          }
          assert.ok(got !== undefined, `${name}: no valid ${reply.name} carrying ${String(value)} for ${message.name}`);
        }
        const described = channel.clientSends.filter((c) => c.reply !== undefined).map((c) => c.message.name);
        for (const request of Object.keys(expected)) assert.ok(described.includes(request) || model.channels.some((c) => c.clientSends.some((s) => s.message.name === request)), `${name}: the import lost the request ${request}`);
        await client.close();
      }
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
    assert.deepEqual(config.endpoints.map((e) => [e.path, e.dialect, e.streams.map((s) => [s.name, s.interval, s.generator])]), [['/orders/*', 'raw', [['quote', 200, 'jsonSchema']]]]);

    const cli = runMockwave([file, '--port', '0', '--host', '127.0.0.1']);
    await cli.waitFor(/placeOrder \{"type":"place"\} -> orderAccepted \(copies \/inReplyTo\)/);
    assert.match(cli.output(), /skipped channel audit: none of its servers speaks WebSocket/);
    assert.match(cli.output(), /ws:\/\/127\.0\.0\.1:\d+\/orders\//);
    cli.child.kill('SIGTERM');
    assert.equal((await cli.exited).code, 0);
  });

  it('a sidecar overlay sets intervals and adds rules without touching the document; --asyncapi-side inverts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mockwave-asyncapi-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'schemas'));
    copyFileSync(join(ROOT, 'test/fixtures/asyncapi/orders-3.0.yaml'), join(dir, 'orders.yaml'));
    copyFileSync(join(ROOT, 'test/fixtures/asyncapi/schemas/order.yaml'), join(dir, 'schemas/order.yaml'));
    writeFileSync(
      join(dir, 'orders.mockwave.yaml'),
      'endpoints:\n  - path: /orders/*\n    streams: [{ name: quote, interval: 50 }]\n    rules:\n      - when: { type: cancel }\n        then: [{ reply: { type: cancelled, id: "{{message.id}}" } }]\n',
    );
    const printed = runMockwave([join(dir, 'orders.yaml'), '--print-config']);
    assert.equal((await printed.exited).code, 0, printed.errors());
    const config = JSON.parse(printed.output()) as { endpoints: { streams: { name: string; interval: number }[]; rules: { when: Obj }[] }[] };
    assert.equal(config.endpoints[0]?.streams[0]?.interval, 50);
    assert.deepEqual(config.endpoints[0]?.rules.map((r) => r.when), [{ type: 'cancel' }, { type: 'place' }]);

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
    const dir = mkdtempSync(join(tmpdir(), 'mockwave-asyncapi-x-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(
      join(dir, 'x.yaml'),
      [
        'asyncapi: 2.6.0',
        'info: { title: x, version: "1" }',
        'servers: { local: { url: localhost, protocol: ws } }',
        'channels:',
        '  /feed:',
        '    subscribe:',
        '      message:',
        '        oneOf:',
        '          - name: tick',
        '            x-mockwave: { example: 1, interval: 30 }',
        '            payload: { type: object, properties: { n: { type: integer } } }',
        '            examples: [{ payload: { n: 1 } }, { payload: { n: 2 } }]',
        '          - name: noise',
        '            x-mockwave: { disabled: true }',
        '            payload: { type: string }',
        '',
      ].join('\n'),
    );
    const { config } = asyncApiToConfig(join(dir, 'x.yaml'));
    const streams = (config['endpoints'] as { streams: { name: string; interval: number; options: { examples: unknown[] } }[] }[])[0]?.streams;
    assert.deepEqual(streams?.map((s) => [s.name, s.interval, s.options.examples]), [['tick', 30, [{ n: 2 }]]]);
  });

  it('a document that is not AsyncAPI 2 or 3, or a missing $ref, is reported clearly', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mockwave-asyncapi-bad-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'old.yaml'), 'asyncapi: 1.2.0\ninfo: { title: old }\n');
    const old = runMockwave([join(dir, 'old.yaml'), '--print-config']);
    assert.equal((await old.exited).code, 2);
    assert.match(old.errors(), /AsyncAPI 1\.2\.0 is not supported \(2\.x and 3\.x are\)/);
    writeFileSync(join(dir, 'dangling.yaml'), 'asyncapi: 2.6.0\ninfo: { title: t, version: "1" }\nchannels:\n  /x:\n    subscribe:\n      message: { $ref: "#/components/messages/nope" }\n');
    const dangling = asyncApiToConfig(join(dir, 'dangling.yaml'));
    assert.ok(dangling.report.some((line) => /#\/components\/messages\/nope: nothing there/.test(line)), dangling.report.join('\n'));
  });
});
