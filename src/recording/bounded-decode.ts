/**
 * Decoding a compressed answer for the recording, never past what the recording keeps. An answer of 1 MB
 * gzip can decode to 1 GiB and 3 KB of brotli to 2 GiB (a decompression bomb): decoded whole, synchronously,
 * that stalled the server for 29 s and took 2 GB. Here the answer goes through a zlib stream (its work done
 * on libuv's pool one output chunk at a time, so the event loop keeps serving) that is destroyed as soon as
 * the output passes `max`: at most `max` bytes and one chunk are ever decoded.
 */
import { createBrotliDecompress, createGunzip, createInflate, type BrotliDecompress, type Gunzip, type Inflate } from 'node:zlib';

export interface Decoded {
  /** The first `max` bytes of the decoded body at most. */
  readonly bytes: Buffer;
  /** The decoded body was longer than `max`. */
  readonly cut: boolean;
}

function decoderFor(encoding: string): Gunzip | Inflate | BrotliDecompress | undefined {
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  return undefined;
}

/**
 * The body decoded as its Content-Encoding says, up to `max` bytes; the body itself when it is not encoded;
 * undefined when it cannot be decoded (an unknown encoding, corrupt data), to be kept as it came.
 */
export function decodeBounded(body: Buffer, encoding: string | undefined, max: number): Promise<Decoded | undefined> {
  if (encoding === undefined || encoding === 'identity') return Promise.resolve({ bytes: body.subarray(0, max), cut: body.length > max });
  const decoder = decoderFor(encoding.trim().toLowerCase());
  if (decoder === undefined) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const kept: Buffer[] = [];
    let size = 0;
    decoder.on('data', (chunk: Buffer) => {
      const room = max - size;
      if (chunk.length <= room) {
        kept.push(chunk);
        size += chunk.length;
        return;
      }
      kept.push(chunk.subarray(0, room));
      decoder.destroy();
      resolve({ bytes: Buffer.concat(kept), cut: true });
    });
    decoder.once('end', () => resolve({ bytes: Buffer.concat(kept), cut: false }));
    decoder.once('error', () => resolve(undefined));
    decoder.end(body);
  });
}
