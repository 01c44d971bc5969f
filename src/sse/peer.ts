/**
 * A Server-Sent Events response as the Peer that logic sees: what the endpoint offers is written to the
 * response as it is (the `sse` format already framed it). The same rule as a WebSocket client's holds: a
 * client that does not read has its messages dropped and counted past `maxBufferedBytes`, and is let go
 * after `slowClientGrace` behind, by the server-wide guard's rounds (`Pressure`), so a client behind on a
 * stream that has stopped sending is let go too; its queue counts toward `maxQueuedBytes`. An SSE client
 * sends nothing, so there is nothing to pause.
 *
 * A broadcast is written below ServerResponse, as the WebSocket frame writer does below ws: the response's
 * head is sent at once, so each event is one HTTP/1.1 chunk (size line, bytes, CRLF), built once per event
 * and the same Buffer written to every subscriber's socket. Node frames chunks the same way, so its own
 * writes on the response (the closing comment, the last chunk) stay valid around ours.
 */
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { newCounters, NO_OBSERVERS, type Faultable, type FaultHook, type OutKind, type PeerCounters, type PeerObserver } from '../hub/peer.ts';
import type { Clock } from '../util/clock.ts';
import type { Pressure, Pressured } from '../transport/pressure.ts';
import { resetSocket } from '../util/reset-socket.ts';
import { sseEvent } from '../util/sse.ts';
import { PROXY_SOURCE, type MessageSource } from '../util/source.ts';

export interface SsePeerSettings {
  readonly maxBufferedBytes: number;
  readonly slowClientGrace: number;
  readonly clock: Clock;
  /** The server-wide guard: its budget is charged for queued events, its rounds evict a client behind. */
  readonly pressure: Pressure;
  /** The chunks of the server's broadcasts: one object for all its SSE clients. */
  readonly chunks: EventChunks;
}

/**
 * Events as chunks of a chunked HTTP/1.1 body; the last one is kept, since a broadcast repeats it to every
 * subscriber. One per server (its SSE side's), not per module: two servers in one process share nothing,
 * and a server that stopped keeps nothing alive.
 */
export class EventChunks {
  #lastEvent: Buffer | undefined;
  #lastChunk: Buffer | undefined;

  of(event: Buffer): Buffer {
    if (event !== this.#lastEvent) {
      const head = Buffer.from(`${event.length.toString(16)}\r\n`);
      this.#lastChunk = Buffer.concat([head, event, Buffer.from('\r\n')]);
      this.#lastEvent = event;
    }
    return this.#lastChunk as Buffer;
  }
}

/** `text` as one chunk of a chunked HTTP/1.1 body (comments, `retry:`, heartbeats: not repeated, not kept). */
function chunkOfText(text: string): Buffer {
  const body = Buffer.from(text);
  return Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]);
}

/** What a comment's check by the faults carries: a comment is no message, so its bytes are not read. */
const EMPTY = Buffer.alloc(0);

export class SsePeer implements Faultable, Pressured {
  readonly id: string;
  readonly endpoint: string;
  readonly url: string;
  readonly connectedAt: number;
  readonly compressed = false;
  readonly counters: PeerCounters = newCounters();
  observers: readonly PeerObserver[] = NO_OBSERVERS;
  faults: FaultHook | undefined = undefined;
  readonly #response: ServerResponse;
  readonly #settings: SsePeerSettings;
  /** The socket when the body is chunked (HTTP/1.1), so events can be written straight to it; else undefined. */
  readonly #socket: Socket | undefined;
  #behindSince: number | undefined;

  constructor(init: { id: string; endpoint: string; url: string; response: ServerResponse; settings: SsePeerSettings }) {
    this.id = init.id;
    this.endpoint = init.endpoint;
    this.url = init.url;
    this.#response = init.response;
    this.#settings = init.settings;
    this.connectedAt = init.settings.clock.now();
    init.response.flushHeaders();
    const chunked = (init.response as unknown as { chunkedEncoding?: boolean }).chunkedEncoding === true;
    this.#socket = chunked ? (init.response.socket ?? undefined) : undefined;
  }

  get remoteAddress(): string {
    return this.#response.socket?.remoteAddress ?? 'unknown';
  }

  get closed(): boolean {
    return this.#response.writableEnded || this.#response.destroyed;
  }

  /** A ServerResponse's writableLength already counts its socket's queue, where broadcasts are written. */
  get bufferedAmount(): number {
    return this.#response.writableLength;
  }

  /** Writes text as it is (a comment, `retry:`), counted but not shown as a message. */
  write(text: string): void {
    if (this.closed) return;
    if (this.faults !== undefined && this.faults.out('write', EMPTY, false, undefined)) return;
    // The same path as events: a write through ServerResponse can reach the socket after a later direct
    // write (Node 24 delivered a heartbeat after the event that followed it, and a notice between two events).
    if (this.#socket === undefined) this.#response.write(text);
    else this.#socket.write(chunkOfText(text));
  }

  send(text: string | Buffer, source: MessageSource): void {
    const data = typeof text === 'string' ? Buffer.from(text) : text;
    if (this.faults === undefined || !this.faults.out('send', data, false, source)) this.#write(data, false, source);
  }

  sendData(data: Buffer, _isBinary: boolean, source: MessageSource): void {
    if (this.faults === undefined || !this.faults.out('data', data, false, source)) this.#write(data, false, source);
  }

  relay(data: Buffer): void {
    this.#write(data, false, PROXY_SOURCE);
  }

  offer(frame: Buffer): boolean {
    if (this.faults !== undefined && !this.closed && this.faults.out('offer', frame, false, undefined)) return true;
    return this.#write(frame, true, undefined);
  }

  pass(kind: OutKind, data: Buffer, _isBinary: boolean, source: MessageSource | undefined): boolean {
    return this.#write(data, kind === 'offer', source);
  }

  /** An SSE client sends nothing: nothing comes in to hand over. */
  receive(): void {}

  /** A TCP reset: the client's EventSource sees an error, with no end of stream. */
  reset(): void {
    const socket = this.#response.socket;
    if (socket === null) this.#response.destroy();
    else resetSocket(socket);
  }

  /** Sends an event (`broadcast`: this client's copy of a broadcast) unless the client is too far behind. */
  #write(frame: Buffer, broadcast: boolean, source: MessageSource | undefined): boolean {
    if (this.closed) return false;
    if (!this.#room(frame.length)) {
      this.counters.dropped += 1;
      return false;
    }
    this.counters.messagesOut += 1;
    this.counters.bytesOut += frame.length;
    for (const observe of this.observers) observe(this, 'out', frame, false, broadcast, source);
    if (this.#socket === undefined) this.#response.write(frame);
    else this.#socket.write(this.#settings.chunks.of(frame));
    return true;
  }

  /** Whether `size` more bytes may be queued: under the client's cap, and within the server-wide budget. */
  #room(size: number): boolean {
    const queued = this.bufferedAmount;
    if (queued === 0) {
      this.#behindSince = undefined;
      return true;
    }
    if (queued <= this.#settings.maxBufferedBytes) return this.#settings.pressure.admit(size);
    if (this.#behindSince === undefined) {
      this.#behindSince = this.#settings.clock.now();
      this.#settings.pressure.behind.add(this);
    }
    this.checkBehind(this.#settings.clock.now());
    return false;
  }

  /** Let go once behind for the whole grace period; false once caught up (or gone). */
  checkBehind(now: number): boolean {
    if (this.#behindSince === undefined || this.closed) return false;
    if (this.bufferedAmount <= this.#settings.maxBufferedBytes) {
      this.#behindSince = undefined;
      return false;
    }
    // A client behind for the whole grace period is let go: its queue is the server's memory.
    if (now - this.#behindSince > this.#settings.slowClientGrace) this.terminate();
    return true;
  }

  pause(): void {}

  resume(): void {}

  /** Ends the stream; an EventSource reconnects after `retry` ms unless the page closes it. */
  close(code?: number, reason?: string): void {
    if (this.closed) return;
    this.faults?.flush();
    this.#response.end(code === undefined ? undefined : sseEvent({ comment: `closed by the server (${code}${reason === undefined || reason === '' ? '' : ` ${reason}`})` }));
  }

  terminate(): void {
    this.#response.destroy();
  }
}
