/**
 * An SSE client that stops reading is let go after the grace period even when nothing more is sent to it
 * (its stream paused): the server-wide guard's rounds evict it, not the next event.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';

describe('an SSE client that never reads', () => {
  it('is evicted after the grace period while its stream sends nothing more', async () => {
    const { server, info } = await startServer({
      websocket: { heartbeatInterval: 0, maxBufferedBytes: 64 * 1024, slowClientGrace: 300 },
      endpoints: [{ path: '/events', protocol: 'sse', sse: { heartbeat: 0, history: 0 }, streams: [{ name: 'big', data: { text: 'none yet' } }] }],
    });
    // A raw socket that asks for the stream and never reads a byte of it.
    const socket = connect({ port: info.port, host: '127.0.0.1' });
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.pause();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
    socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n');
    await waitUntil(() => server.clients().length === 1, 5000, 'the SSE client to be accepted');

    // Publish until the server holds more than the cap for this client (the kernel's buffers fill first).
    const payload = { text: 'x'.repeat(256 * 1024) };
    let dropped = 0;
    for (let i = 0; i < 400 && dropped === 0; i++) {
      server.publish('big', payload);
      await new Promise((resolve) => setImmediate(resolve));
      dropped = server.clients()[0]?.dropped ?? 0;
    }
    assert.ok(dropped > 0, 'the client fell behind (an event was dropped)');
    // Nothing more is published: only the guard's rounds can let it go.
    await waitUntil(() => server.clients().length === 0, 10_000, 'the slow SSE client to be evicted');
    // Its connection was cut: reading what the kernel still holds ends in a close (a paused socket never closes).
    socket.resume();
    await Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('the evicted client\'s socket was not closed')), 10_000))]);
  });
});
