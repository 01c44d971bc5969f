/**
 * The transport on its own, below any endpoint: a connection whose logic fails while accepting it is ended
 * alone, and the server goes on serving everyone else; a refusal is answered and counted once.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Peer } from '../../src/hub/peer.ts';
import type { Refusal } from '../../src/errors/refusal.ts';
import { Transport, type Acceptor, type TransportOptions } from '../../src/transport/transport.ts';
import { BAD_TARGET, clientErrorOf, destroyOnError, refuseRequest, refuseUpgrade, SHUTTING_DOWN } from '../../src/transport/handshake.ts';
import { refusal } from '../../src/errors/refusal.ts';
import { Pressure } from '../../src/transport/pressure.ts';
import { systemClock } from '../../src/util/clock.ts';
import { waitUntil } from '../helpers/wait.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

/** A transport on 127.0.0.1:0 with small limits, no heartbeat, and these callbacks. */
function transportOptions(callbacks: Pick<TransportOptions, 'createId' | 'route' | 'refused' | 'onPeerError'>): TransportOptions {
  return {
    port: 0,
    host: '127.0.0.1',
    maxPayload: 1024,
    heartbeatInterval: 0,
    handshakeTimeout: 1000,
    maxBufferedBytes: 1 << 20,
    pressure: new Pressure(1 << 26),
    slowClientGrace: 1000,
    clock: systemClock,
    handleRequest: (_request, response) => response.end(),
    ...callbacks,
  };
}

describe('transport', () => {
  it('a connection whose acceptor throws is terminated alone; the next one is served', async () => {
    const errors: string[] = [];
    const failing: Acceptor = {
      endpoint: '/bad',
      accept: () => {
        throw new Error('set-up failed');
      },
    };
    const echo: Acceptor = {
      endpoint: '/good',
      accept: () => ({
        onMessage: (peer: Peer, data: Buffer) => peer.send(data.toString(), 'test'),
        onClose: () => undefined,
      }),
    };
    let ids = 0;
    const transport = new Transport(transportOptions({
      createId: () => `c${++ids}`,
      route: (_request, target) => ({ ok: true, acceptor: target.path === '/bad' ? failing : echo }),
      refused: (refused) => ({ code: refused.code }),
      onPeerError: (peer, error) => errors.push(`${peer.id}: ${error.message}`),
    }));
    const { port } = await transport.listen();
    after(() => transport.close(1001, 'bye', 500));

    const bad = new WebSocket(`ws://127.0.0.1:${port}/bad`);
    const code = await new Promise<number>((resolve, reject) => {
      bad.on('close', resolve);
      bad.on('error', () => undefined);
      setTimeout(() => reject(new Error('the failed connection was never closed')), 3000).unref();
    });
    assert.equal(code, 1006, 'terminated, not closed with a handshake');
    assert.deepEqual(errors, ['c1: set-up failed']);
    await waitUntil(() => transport.peers.size === 0, 2000, 'the failed peer forgotten');

    const good = await wsConnect(`ws://127.0.0.1:${port}/good`);
    good.send({ hello: 'world' });
    assert.deepEqual(await good.next(), { hello: 'world' });
    assert.equal(transport.peers.size, 1);
    await good.close();
  });

  it('an upgrade still being prepared when the server starts closing is refused once, with 503', async () => {
    const refused: Refusal[] = [];
    let release: (() => void) | undefined;
    const slow: Acceptor = {
      endpoint: '/slow',
      prepare: () => new Promise((resolve) => (release = () => resolve({ ok: true }))),
      accept: () => ({ onMessage: () => undefined, onClose: () => undefined }),
    };
    const transport = new Transport(transportOptions({
      createId: () => 'c',
      route: () => ({ ok: true, acceptor: slow }),
      refused: (refusal) => {
        refused.push(refusal);
        return { code: refusal.code };
      },
      onPeerError: () => undefined,
    }));
    const { port } = await transport.listen();
    const client = new WebSocket(`ws://127.0.0.1:${port}/slow`);
    client.on('error', () => undefined);
    const status = new Promise<number>((resolve) => client.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    await waitUntil(() => release !== undefined, 2000, 'the upgrade to reach prepare()');
    const closing = transport.close(1001, 'bye', 200);
    release?.();
    assert.equal(await status, 503);
    await closing;
    assert.deepEqual(refused.map((r) => r.code), ['MW_SHUTTING_DOWN']);
  });
});

describe('the answers of a refused handshake or request (transport/handshake.ts)', () => {
  it('what Node\'s parser gave up on is named: headers too large, headers too slow, anything else malformed', () => {
    const of = (code?: string) => clientErrorOf(Object.assign(new Error('x'), code === undefined ? {} : { code }));
    assert.deepEqual(of('HPE_HEADER_OVERFLOW'), refusal('MW_HEADERS_TOO_LARGE', 'Request headers are too large'));
    assert.deepEqual(of('ERR_HTTP_REQUEST_TIMEOUT'), refusal('MW_HANDSHAKE_TIMEOUT', 'The request headers did not arrive in time'));
    assert.deepEqual([of('HPE_INVALID_METHOD'), of()], [refusal('MW_MALFORMED_REQUEST', 'Malformed HTTP request'), refusal('MW_MALFORMED_REQUEST', 'Malformed HTTP request')]);
    assert.deepEqual([SHUTTING_DOWN.message, BAD_TARGET.message], ['The server is shutting down', 'The request target is not a valid URL path']);
  });

  it('a refused upgrade is a whole HTTP response, and the socket is destroyed once it is flushed (at once when not writable)', () => {
    const socket = Object.assign(new EventEmitter(), { writable: true, destroyed: false, written: '', end: (text: string) => void (socket.written = text), destroy: () => void (socket.destroyed = true) });
    refuseUpgrade(socket as unknown as Duplex, 503, { error: 'é' });
    assert.equal(socket.written, 'HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 14\r\n\r\n{"error":"é"}');
    assert.equal(socket.destroyed, false, 'not before the response is flushed');
    socket.emit('finish');
    assert.equal(socket.destroyed, true);
    const odd = Object.assign(new EventEmitter(), { writable: true, written: '', end: (text: string) => void (odd.written = text), destroy: () => undefined });
    refuseUpgrade(odd as unknown as Duplex, 599, {});
    assert.match(odd.written, /^HTTP\/1\.1 599 Error\r\n/);
    const gone = Object.assign(new EventEmitter(), { writable: false, destroyed: false, ended: false, end: () => void (gone.ended = true), destroy: () => void (gone.destroyed = true) });
    refuseUpgrade(gone as unknown as Duplex, 400, {});
    assert.deepEqual([gone.destroyed, gone.ended], [true, false]);
  });

  it('a socket that errs while being upgraded is destroyed', () => {
    const socket = { destroyed: false, destroy: () => void (socket.destroyed = true) };
    destroyOnError.call(socket as unknown as Duplex);
    assert.equal(socket.destroyed, true);
  });

  it('a refused plain request: its body is drained, and the answer closes the connection', () => {
    let resumed = false;
    const answer: { status?: number; headers?: Record<string, unknown>; body?: string } = {};
    const response = {
      shouldKeepAlive: true,
      writeHead: (status: number, headers: Record<string, unknown>) => void Object.assign(answer, { status, headers }),
      end: (body: string) => void (answer.body = body),
    };
    refuseRequest({ resume: () => void (resumed = true) } as unknown as IncomingMessage, response as unknown as ServerResponse, 400, { code: 'MW_MALFORMED_REQUEST' });
    assert.deepEqual([resumed, response.shouldKeepAlive, answer.status, answer.headers?.['Connection'], answer.body], [true, false, 400, 'close', '{"code":"MW_MALFORMED_REQUEST"}']);
  });
});
