/**
 * A journal entry as bytes, and back. The journal keeps its entries encoded in one buffer outside the
 * JavaScript heap (ring.ts): an entry kept as objects outlives V8's young generation, and under load every
 * scavenge copied the newest of them (the HTTP route's p99 doubled, docs/benchmarks.md); bytes in a buffer
 * are never copied by the collector. Written on the hot path, read only when someone asks.
 *
 * Layout, little-endian: u32 record length; f64 seq; f64 at; u8 kind, protocol, direction, flags; f64 size;
 * i32 code; i32 recipients; strings client, scope, endpoint, route, reason, source; u32 topic count and
 * topics; u32 count and the clients a broadcast reached (flag REACHED) or missed; the payload (u32 length
 * and bytes); then, for HTTP, method, path, search, the raw header list, the body,
 * status, ms, the answer's header pairs and its body. A string is a u32 byte length (NONE: absent) and its
 * UTF-8 bytes.
 */
import { JOURNAL_KINDS, JOURNAL_PROTOCOLS, type JournalEntry, type JournalHttp, type JournalHttpInput, type JournalKind, type JournalProtocol } from './entry.ts';

const PROTOCOLS: readonly JournalProtocol[] = JOURNAL_PROTOCOLS;
const KIND_CODES = Object.fromEntries(JOURNAL_KINDS.map((kind, i) => [kind, i])) as Record<JournalKind, number>;
const PROTOCOL_CODES = Object.fromEntries(PROTOCOLS.map((protocol, i) => [protocol, i])) as Record<JournalProtocol, number>;
const DIRECTIONS = [undefined, 'in', 'out'] as const;
const NONE = 0xffff_ffff;
const NO_COUNT = 0xffff_ffff;
const NO_NUMBER = -0x8000_0000;

const TRUNCATED = 1;
const BINARY = 2;
const HAS_DATA = 4;
const HAS_HTTP = 8;
/** The broadcast's list of clients is those it reached (else those it missed). */
const REACHED = 16;

/** Strings up to this length are written by our own loop when they are ASCII (Writer.str). */
const SHORT = 64;

/** The fixed part of a record: length, seq, at, four bytes of codes, size, code, recipients. */
const FIXED = 4 + 8 + 8 + 4 + 8 + 4 + 4;

/** An entry as the journal hands it to be kept: a payload still as it came (text as a Buffer or a string). */
export interface EntryToKeep extends Omit<JournalEntry, 'data' | 'http'> {
  readonly data: string | Buffer | undefined;
  /** Whether `data` is a binary frame (else text, in whichever form it came). */
  readonly binary: boolean;
  readonly http: JournalHttpInput | undefined;
}

/** A string's room: UTF-8's worst case (3 bytes per UTF-16 unit), or, `exact`, its bytes. */
const strBound = (text: string | undefined, exact = false): number => 4 + (text === undefined ? 0 : exact ? Buffer.byteLength(text) : text.length * 3);
const bytesLength = (data: string | Buffer | undefined): number => (data === undefined ? 0 : typeof data === 'string' ? Buffer.byteLength(data) : data.length);

/**
 * At most how many bytes `entry` takes: exact for payloads and bodies; for short strings UTF-8's worst case,
 * or, with `exact`, their bytes (asked only when the worst case would not fit the whole ring).
 */
export function recordBound(entry: EntryToKeep, exact = false): number {
  let n = FIXED + strBound(entry.client, exact) + strBound(entry.scope, exact) + strBound(entry.endpoint, exact) + strBound(entry.route, exact) + strBound(entry.reason, exact) + strBound(entry.source, exact) + 4 + 4 + 4 + bytesLength(entry.data);
  for (const topic of entry.topics ?? []) n += strBound(topic, exact);
  for (const client of entry.reached ?? entry.missed ?? []) n += strBound(client, exact);
  const http = entry.http;
  if (http !== undefined) {
    n += strBound(http.method, exact) + strBound(http.path, exact) + strBound(http.search, exact) + 4 + 4 + http.body.length + 4 + 8 + 4 + 1 + 4 + bytesLength(http.answerBody);
    for (const part of http.rawHeaders) n += strBound(part, exact);
    const answer = http.answerHeaders;
    if (answer !== undefined) for (const name in answer) n += strBound(name, exact) + strBound(headerText(answer[name] as string | number | readonly string[]), exact);
  }
  return n;
}

const headerText = (value: string | number | readonly string[]): string => (typeof value === 'object' ? value.join(', ') : String(value));

/** Writes into one buffer from an offset on; numbers through a DataView of it (no checks per call). */
class Writer {
  constructor(
    readonly buf: Buffer,
    readonly view: DataView,
    public at: number,
  ) {}

  str(text: string | undefined): void {
    const buf = this.buf;
    if (text === undefined) {
      this.view.setUint32(this.at, NONE, true);
      this.at += 4;
      return;
    }
    // Our own code on the hot path: a short ASCII string (an id, a path, a header) is copied here, cheaper
    // than a call into C++ for each (the HTTP entry took 2.1 µs with buf.write for all of its strings).
    const start = this.at + 4;
    if (text.length <= SHORT) {
      let i = 0;
      for (; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0x80) break;
        buf[start + i] = c;
      }
      if (i === text.length) {
        this.view.setUint32(this.at, i, true);
        this.at = start + i;
        return;
      }
    }
    const length = buf.write(text, start, 'utf8');
    this.view.setUint32(this.at, length, true);
    this.at = start + length;
  }

  bytes(data: string | Buffer): void {
    const length = typeof data === 'string' ? this.buf.write(data, this.at + 4, 'utf8') : data.copy(this.buf, this.at + 4);
    this.view.setUint32(this.at, length, true);
    this.at += 4 + length;
  }

  count(n: number | undefined): void {
    this.view.setUint32(this.at, n ?? NO_COUNT, true);
    this.at += 4;
  }
}

/**
 * Encodes `entry` at `offset` of `buf` (`view`: a DataView of the same bytes; room for recordBound(entry)
 * bytes is there); the record's length.
 */
export function encodeEntry(entry: EntryToKeep, buf: Buffer, view: DataView, offset: number): number {
  const w = new Writer(buf, view, offset + 4);
  const at = w.at;
  view.setFloat64(at, entry.seq, true);
  view.setFloat64(at + 8, entry.at, true);
  buf[at + 16] = KIND_CODES[entry.kind];
  buf[at + 17] = PROTOCOL_CODES[entry.protocol];
  buf[at + 18] = entry.direction === undefined ? 0 : entry.direction === 'in' ? 1 : 2;
  buf[at + 19] = (entry.truncated ? TRUNCATED : 0) | (entry.binary ? BINARY : 0) | (entry.data === undefined ? 0 : HAS_DATA) | (entry.http === undefined ? 0 : HAS_HTTP) | (entry.reached === undefined ? 0 : REACHED);
  view.setFloat64(at + 20, entry.size, true);
  view.setInt32(at + 28, entry.code ?? NO_NUMBER, true);
  view.setInt32(at + 32, entry.recipients ?? NO_NUMBER, true);
  w.at += 36;
  w.str(entry.client);
  w.str(entry.scope);
  w.str(entry.endpoint);
  w.str(entry.route);
  w.str(entry.reason);
  w.str(entry.source);
  w.count(entry.topics?.length);
  for (const topic of entry.topics ?? []) w.str(topic);
  const audience = entry.reached ?? entry.missed;
  w.count(audience?.length);
  for (const client of audience ?? []) w.str(client);
  if (entry.data !== undefined) w.bytes(entry.data);
  const http = entry.http;
  if (http !== undefined) {
    w.str(http.method);
    w.str(http.path);
    w.str(http.search);
    w.count(http.rawHeaders.length);
    for (const part of http.rawHeaders) w.str(part);
    w.bytes(http.body);
    view.setInt32(w.at, http.status, true);
    view.setFloat64(w.at + 4, http.ms, true);
    w.at += 12;
    const answer = http.answerHeaders;
    if (answer === undefined) w.count(undefined);
    else {
      const countAt = w.at;
      w.at += 4;
      let pairs = 0;
      for (const name in answer) {
        w.str(name);
        w.str(headerText(answer[name] as string | number | readonly string[]));
        pairs += 1;
      }
      view.setUint32(countAt, pairs, true);
    }
    const body = http.answerBody;
    buf[w.at] = body === undefined ? 0 : typeof body === 'string' ? 1 : 2;
    w.at += 1;
    if (body !== undefined) w.bytes(body);
  }
  const length = w.at - offset;
  view.setUint32(offset, length, true);
  return length;
}

/** Reads from one buffer from an offset on. */
class Reader {
  constructor(
    readonly buf: Buffer,
    public at: number,
  ) {}

  str(): string | undefined {
    const length = this.buf.readUInt32LE(this.at);
    this.at += 4;
    if (length === NONE) return undefined;
    const text = this.buf.toString('utf8', this.at, this.at + length);
    this.at += length;
    return text;
  }

  /** A payload's bytes, copied out of the ring (which will be written over). */
  bytes(): Buffer {
    const length = this.buf.readUInt32LE(this.at);
    const copy = Buffer.from(this.buf.subarray(this.at + 4, this.at + 4 + length));
    this.at += 4 + length;
    return copy;
  }

  text(): string {
    const length = this.buf.readUInt32LE(this.at);
    const text = this.buf.toString('utf8', this.at + 4, this.at + 4 + length);
    this.at += 4 + length;
    return text;
  }

  count(): number | undefined {
    const n = this.buf.readUInt32LE(this.at);
    this.at += 4;
    return n === NO_COUNT ? undefined : n;
  }

  /** A counted list of strings (undefined: absent). */
  list(): string[] | undefined {
    const n = this.count();
    return n === undefined ? undefined : Array.from({ length: n }, () => this.str() as string);
  }
}

/** The record's length at `offset`. */
export const recordLength = (buf: Buffer, offset: number): number => buf.readUInt32LE(offset);

/** The entry encoded at `offset`, as plain data (a text payload as a string, a binary one as a Buffer). */
export function decodeEntry(buf: Buffer, offset: number): JournalEntry {
  const r = new Reader(buf, offset + 4);
  const seq = buf.readDoubleLE(r.at);
  const at = buf.readDoubleLE(r.at + 8);
  const kind = JOURNAL_KINDS[buf[r.at + 16] as number] as JournalKind;
  const protocol = PROTOCOLS[buf[r.at + 17] as number] as JournalProtocol;
  const direction = DIRECTIONS[buf[r.at + 18] as number];
  const flags = buf[r.at + 19] as number;
  const size = buf.readDoubleLE(r.at + 20);
  const code = buf.readInt32LE(r.at + 28);
  const recipients = buf.readInt32LE(r.at + 32);
  r.at += 36;
  const [client, scope, endpoint, route, reason, source] = [r.str(), r.str(), r.str(), r.str(), r.str(), r.str()];
  const topics = r.list();
  const audience = r.list();
  const data = (flags & HAS_DATA) === 0 ? undefined : (flags & BINARY) !== 0 ? r.bytes() : r.text();
  let http: JournalHttp | undefined;
  if ((flags & HAS_HTTP) !== 0) {
    const [method, path, search] = [r.str() as string, r.str() as string, r.str() as string];
    const rawHeaders = Array.from({ length: r.count() ?? 0 }, () => r.str() as string);
    const body = r.bytes();
    const status = buf.readInt32LE(r.at);
    const ms = buf.readDoubleLE(r.at + 4);
    r.at += 12;
    const pairs = r.count();
    const answerHeaders = pairs === undefined ? undefined : Object.fromEntries(Array.from({ length: pairs }, () => [r.str() as string, r.str() as string]));
    const bodyKind = buf[r.at] as number;
    r.at += 1;
    const answerBody = bodyKind === 0 ? undefined : bodyKind === 1 ? r.text() : r.bytes();
    http = { method, path, search, rawHeaders, body, status, ms, answerHeaders, answerBody };
  }
  return {
    seq,
    at,
    protocol,
    kind,
    direction,
    client,
    scope,
    endpoint,
    route,
    size,
    data,
    truncated: (flags & TRUNCATED) !== 0,
    topics,
    recipients: recipients === NO_NUMBER ? undefined : recipients,
    reached: (flags & REACHED) === 0 ? undefined : audience,
    missed: (flags & REACHED) === 0 ? audience : undefined,
    source,
    code: code === NO_NUMBER ? undefined : code,
    reason,
    http,
  };
}
