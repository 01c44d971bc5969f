/**
 * The transport on its own, below any endpoint: a connection whose logic fails while accepting it is ended
 * alone, and the server goes on serving everyone else; a refusal is answered and counted once.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import WebSocket from 'ws';
import type { Peer } from '../../src/hub/peer.ts';
import type { Refusal } from '../../src/errors/refusal.ts';
import { Transport, type Acceptor, type TransportOptions } from '../../src/transport/transport.ts';
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
        onMessage: (peer: Peer, data: Buffer) => peer.send(data.toString()),
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
