/**
 * A WebSocket client on a bare TCP socket, for input no well-behaved client library will send: unmasked
 * frames, oversized control frames, stray continuations, handshakes that never end. Frames and the close
 * code the server answers with are awaitable, each with a timeout.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

export interface Frame {
  readonly fin: boolean;
  readonly opcode: number;
  readonly payload: Buffer;
}

export interface RawClient {
  readonly socket: Socket;
  /** Writes one frame; masked unless told otherwise, final unless `fin: false`. */
  sendFrame(opcode: number, payload: Buffer | string, options?: { fin?: boolean; mask?: boolean; rsv?: number }): void;
  /** The next frame from the server. */
  nextFrame(timeoutMs?: number): Promise<Frame>;
  /** Reads until the server's close frame and returns its code (1005 when it has none), or the socket ends. */
  closeCode(timeoutMs?: number): Promise<number | 'ended'>;
}

export function encodeFrame(opcode: number, payload: Buffer, { fin = true, mask = true, rsv = 0 } = {}): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | (rsv << 4) | opcode;
  header[1] = (mask ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  if (lengthBytes === 8) header.writeBigUInt64BE(BigInt(length), 2);
  if (!mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + lengthBytes);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i] = (masked[i] as number) ^ (key[i & 3] as number);
  return Buffer.concat([header, masked]);
}

/** Sends `request` (a whole handshake, or any bytes) and resolves with the socket and what came back first. */
export function rawRequest(port: number, request: string | Buffer): Promise<{ socket: Socket; response: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.write(request);
      const response = new Promise<string>((done) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          text += chunk.toString('latin1');
        });
        socket.on('close', () => done(text));
      });
      resolve({ socket, response });
    });
  });
}

export function handshake(path = '/ws', host = '127.0.0.1'): string {
  return `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
}

/** Opens a WebSocket by hand; resolves once the server has answered 101. */
export function rawConnect(port: number, path = '/ws'): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    let buffer = Buffer.alloc(0);
    let upgraded = false;
    let ended = false;
    const frames: Frame[] = [];
    const waiters: (() => void)[] = [];
    const wake = (): void => {
      for (const w of waiters.splice(0)) w();
    };
    socket.once('error', (error) => (upgraded ? undefined : reject(error)));
    socket.on('close', () => {
      ended = true;
      wake();
    });
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString();
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(`handshake refused: ${head.split('\r\n')[0]}`));
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve(client);
      }
      for (;;) {
        if (buffer.length < 2) break;
        let length = (buffer[1] as number) & 0x7f;
        let offset = 2;
        if (length === 126) {
          if (buffer.length < 4) break;
          length = buffer.readUInt16BE(2);
          offset = 4;
        } else if (length === 127) {
          if (buffer.length < 10) break;
          length = Number(buffer.readBigUInt64BE(2));
          offset = 10;
        }
        if (buffer.length < offset + length) break;
        const first = buffer[0] as number;
        frames.push({ fin: (first & 0x80) !== 0, opcode: first & 0x0f, payload: Buffer.from(buffer.subarray(offset, offset + length)) });
        buffer = buffer.subarray(offset + length);
      }
      wake();
    });
    socket.once('connect', () => socket.write(handshake(path)));

    const nextFrame = async (timeoutMs = 2000): Promise<Frame> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const frame = frames.shift();
        if (frame !== undefined) return frame;
        if (ended) throw new Error('the server closed the connection');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, left);
        });
      }
    };
    const client: RawClient = {
      socket,
      sendFrame: (opcode, payload, options) => socket.write(encodeFrame(opcode, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), options)),
      nextFrame,
      closeCode: async (timeoutMs = 3000) => {
        for (;;) {
          let frame: Frame;
          try {
            frame = await nextFrame(timeoutMs);
          } catch (error) {
            if (ended) return 'ended';
            throw error;
          }
          if (frame.opcode === 0x8) return frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
        }
      },
    };
  });
}
