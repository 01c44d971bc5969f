/**
 * Every AsyncAPI document we did not write, served end to end: our own fixture and the public documents in
 * test/fixtures/asyncapi/public (origins and licences in its README), all inside the repository so a fresh clone
 * runs this alone.
 * For each endpoint the import made, a client connects and listens; every message it receives must validate
 * (ajv, formats checked) against a message the document says the server sends; a message sent once
 * (on connect) arrives at most once and one sent only when asked never arrives unasked; and every client
 * message with a described reply is sent and answered by each reply, valid and carrying the request's
 * correlation value. The oracle for correlations is the table below, read from the documents by a person,
 * not the configuration the import derived. Figures go to test-results/asyncapi-public.json.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { asyncApiToConfig, endpointPath } from '../../src/asyncapi/to-config.ts';
import { deliveryOf } from '../../src/asyncapi/delivery.ts';
import { createSchemaSampler, validatorFor } from '../../src/data/json-schema.ts';
import { ROOT } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { RESULTS } from '../helpers/system-clients.ts';
import { wsConnect, type WsTestClient } from '../helpers/ws-connect.ts';

const PUBLIC = join(ROOT, 'test/fixtures/asyncapi/public');

type Obj = Record<string, unknown>;
type Correlations = Readonly<Record<string, { readonly from: string; readonly to: string }>>;

/** Document -> request name -> which request field must come back in which reply field. */
const DOCUMENTS: readonly { readonly file: string; readonly correlations: Correlations }[] = [
  { file: join(ROOT, 'test/fixtures/asyncapi/orders-3.0.yaml'), correlations: { placeOrder: { from: '/clientOrderId', to: '/inReplyTo' } } },
  { file: join(PUBLIC, 'spec-2.6.0/websocket-gemini.yml'), correlations: {} },
  { file: join(PUBLIC, 'website/kraken-websocket-2.0.0-from-asyncapi-blog.yml'), correlations: { ping: { from: '/reqid', to: '/reqid' }, subscribe: { from: '/reqid', to: '/reqid' }, unsubscribe: { from: '/reqid', to: '/reqid' } } },
  { file: join(PUBLIC, 'spec-3.0.0/websocket-gemini-asyncapi.yml'), correlations: {} },
  { file: join(PUBLIC, 'spec-3.0.0/kraken-websocket-request-reply-multiple-channels-asyncapi.yml'), correlations: { ping: { from: '/reqid', to: '/reqid' }, subscribe: { from: '/reqid', to: '/reqid' }, unsubscribe: { from: '/reqid', to: '/reqid' } } },
  { file: join(PUBLIC, 'spec-3.0.0/kraken-websocket-request-reply-message-filter-in-reply-asyncapi.yml'), correlations: { ping: { from: '/reqid', to: '/reqid' }, subscribe: { from: '/reqid', to: '/reqid' }, unsubscribe: { from: '/reqid', to: '/reqid' } } },
  { file: join(PUBLIC, 'spec-3.0.0/social-media/backend/asyncapi.yaml'), correlations: {} },
  { file: join(PUBLIC, 'spec-2.6.0/gitter-streaming.yml'), correlations: {} },
  { file: join(PUBLIC, 'spec-3.0.0/gitter-streaming-asyncapi.yml'), correlations: {} },
  { file: join(PUBLIC, 'generator/asyncapi-postman-echo.yml'), correlations: {} },
  { file: join(PUBLIC, 'generator/asyncapi-hoppscotch-server.yml'), correlations: {} },
  { file: join(PUBLIC, 'generator/asyncapi-hoppscotch-client.yml'), correlations: {} },
  { file: join(PUBLIC, 'generator/asyncapi-websocket-components.yml'), correlations: {} },
  { file: join(PUBLIC, 'generator/asyncapi-slack-client.yml'), correlations: {} },
  { file: join(PUBLIC, 'glee/crypto-websockets-server.yaml'), correlations: {} },
  { file: join(PUBLIC, 'glee/shrek-websockets.yaml'), correlations: {} },
  { file: join(PUBLIC, 'glee/social-network-websocket-server.yaml'), correlations: {} },
];

/** How long each endpoint is listened to, with every stream ticking every 25 ms. */
const LISTEN_MS = 400;

interface Figures {
  document: string;
  endpoints: number;
  received: number;
  valid: number;
  onConnect: number;
  requests: number;
  replies: number;
  correlated: number;
}
const figures: Figures[] = [];
after(() => {
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'asyncapi-public.json'), `${JSON.stringify(figures, null, 2)}\n`);
});

/** A request for a client message: generated from its schema, with a known correlation value set. */
function request(schema: unknown, field: string | undefined, value: unknown): string {
  const body = structuredClone(createSchemaSampler({ schema, seed: 7, now: Date.now, label: 'request' }).next());
  if (field !== undefined && body !== null && typeof body === 'object') (body as Obj)[field.replace(/^\//, '')] = value;
  return JSON.stringify(body);
}

/** A correlation value of the type the request's schema gives the field: a string or a number. */
function correlationValue(schema: unknown, field: string, n: number): string | number {
  const property = ((schema as { properties?: Obj } | null)?.properties ?? {})[field.replace(/^\//, '')] as { type?: unknown } | undefined;
  return property?.type === 'string' ? `co-${n}` : n;
}

/** A message as a payload: its JSON, or its text when it is not JSON (a text/plain payload). */
function payloadOf(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** An HTTP stream (JSON lines or Server-Sent Events) read for `ms`: each message's payload readings. */
async function listenHttp(url: string, ms: number): Promise<unknown[][]> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal });
  assert.equal(response.status, 200, url);
  const events = /event-stream/.test(response.headers.get('content-type') ?? '');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const part = await Promise.race([reader.read(), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), until - Date.now()))]);
    if (part === undefined || part.done) break;
    text += decoder.decode(part.value, { stream: true });
  }
  controller.abort();
  const complete = text.slice(0, text.lastIndexOf(events ? '\n\n' : '\n') + 1);
  const messages = events
    ? complete.split('\n\n').flatMap((block) => {
        const data = block.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
        return data.length === 0 ? [] : [data.join('\n')];
      })
    : complete.split('\n').filter((line) => line.trim() !== '');
  return messages.map((m) => [payloadOf(m), m]);
}

/**
 * Every message that arrives within `ms`, as payloads. The raw dialect sends a string payload as its text
 * (text/plain), so a frame `3` is the string "3" to a `type: string` message: both readings are kept.
 */
async function listen(client: WsTestClient, ms: number): Promise<unknown[][]> {
  const got: unknown[][] = [];
  const until = Date.now() + ms;
  for (;;) {
    const left = until - Date.now();
    if (left <= 0) return got;
    const message = await client.nextRaw(left).catch(() => undefined);
    if (message === undefined) return got;
    got.push([payloadOf(message.text), message.text]);
  }
}

describe('public AsyncAPI documents, served', () => {
  for (const { file, correlations } of DOCUMENTS) {
    const name = file.slice(file.indexOf('asyncapi') + 'asyncapi'.length + 1);
    it(`${name}: only what the document sends, valid; every described reply, valid and correlated`, async () => {
      const { config, model } = asyncApiToConfig(file);
      const endpoints = (config['endpoints'] as Obj[]).map((e): Obj => ({ ...e, streams: (e['streams'] as Obj[]).map((s) => (s['interval'] === undefined ? s : { ...s, interval: 25 })) }));
      const { ws, http } = await startServer({ endpoints, log: { level: 'silent' } } as never);
      const tally: Figures = { document: name, endpoints: endpoints.length, received: 0, valid: 0, onConnect: 0, requests: 0, replies: 0, correlated: 0 };
      for (const endpoint of endpoints) {
        const path = String(endpoint['path']);
        const channels = model.channels.filter((c) => c.paths.some((p) => endpointPath(p, c.constraints) === path));
        const sent = channels.flatMap((c) => c.serverSends).map((m) => ({ name: m.name, on: deliveryOf(m).on, check: validatorFor(m.schema) }));
        const replies = channels.flatMap((c) => c.clientSends.flatMap((s) => s.replies)).map((m) => ({ name: m.name, check: validatorFor(m.schema) }));
        // A parameter gets the first value its enum allows (btcusd when it has none).
        const concrete = path.replace(/:[\w-]+(?:\(([^/]*)\))?/g, (_m, allowed: string | undefined) => (allowed === undefined ? 'btcusd' : (allowed.split('|')[0] ?? '').replace(/\\/g, ''))).replace(/\*$/, 'x');
        if (endpoint['protocol'] === 'sse') {
          // An HTTP stream: every message valid, and nothing else on it (heartbeats are blank lines).
          for (const readings of await listenHttp(http(concrete), LISTEN_MS)) {
            tally.received += 1;
            assert.ok(sent.some((m) => m.on === 'interval' && readings.some((r: unknown) => m.check(r) === undefined)), `${name} ${path}: ${String(readings[1]).slice(0, 300)} matches no streamed message`);
            tally.valid += 1;
          }
          continue;
        }
        const client = await wsConnect(ws(concrete));

        // Listening: everything valid, once-messages once, demand-messages never.
        const seenOnce = new Map<string, number>();
        for (const readings of await listen(client, LISTEN_MS)) {
          tally.received += 1;
          const matches = sent.filter((m) => readings.some((reading) => m.check(reading) === undefined));
          assert.ok(matches.length > 0, `${name} ${path}: ${JSON.stringify(readings[1]).slice(0, 300)} matches no message the server sends (${sent.map((m) => m.name).join(', ')})`);
          tally.valid += 1;
          if (matches.some((m) => m.on === 'interval')) continue;
          assert.ok(matches.some((m) => m.on === 'connect'), `${name} ${path}: ${matches.map((m) => m.name).join(', ')} arrived unasked, though it is sent only when asked`);
          for (const m of matches.filter((x) => x.on === 'connect')) seenOnce.set(m.name, (seenOnce.get(m.name) ?? 0) + 1);
        }
        for (const [message, count] of seenOnce) assert.ok(count <= 1, `${name} ${path}: ${message} is sent on connect, but arrived ${count} times`);
        tally.onConnect += seenOnce.size;

        // Asking: each described request gets each of its replies, valid, with the client's correlation value.
        let n = 1000;
        for (const { message, replies: answers } of channels.flatMap((c) => c.clientSends)) {
          if (answers.length === 0) continue;
          const pair = correlations[message.name];
          const value = pair === undefined ? undefined : correlationValue(message.schema, pair.from, n++);
          client.send(request(message.schema, pair?.from, value));
          tally.requests += 1;
          for (const answer of answers) {
            const check = validatorFor(answer.schema);
            let got: unknown;
            for (let i = 0; i < 400 && got === undefined; i++) {
              const candidate = payloadOf((await client.nextRaw(3000)).text);
              if (check(candidate) === undefined && (pair === undefined || (candidate as Obj)[pair.to.replace(/^\//, '')] === value)) got = candidate;
              else assert.ok(sent.some((m) => m.on === 'interval' && m.check(candidate) === undefined) || replies.some((r) => r.check(candidate) === undefined), `${name} ${path}: while waiting for ${answer.name}: ${JSON.stringify(candidate).slice(0, 300)} is nothing the document describes`);
            }
            assert.ok(got !== undefined, `${name} ${path}: no valid ${answer.name}${pair === undefined ? '' : ` carrying ${String(value)}`} for ${message.name}`);
            tally.replies += 1;
            if (pair !== undefined) tally.correlated += 1;
          }
        }
        await client.close();
      }
      for (const request of Object.keys(correlations)) assert.ok(model.channels.some((c) => c.clientSends.some((s) => s.message.name === request && s.replies.length > 0)), `${name}: the import lost the request ${request}`);
      assert.ok(tally.received > 0 || tally.replies > 0, `${name}: nothing was served`);
      figures.push(tally);
    });
  }
});
