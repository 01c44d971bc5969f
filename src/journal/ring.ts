/**
 * The journal's store: encoded entries (codec.ts) one after the other in one buffer of `maxBytes`, the oldest
 * written over as new ones come, and at most `maxEntries` of them. The buffer is allocated once and not
 * zeroed, so the system backs only the pages written; the entries' offsets are in one typed array, circular,
 * doubled (in order) when every slot is taken, up to maxEntries.
 * Nothing kept is a JavaScript object but that array, so keeping costs the collector nothing.
 *
 * A record never wraps: one that does not fit before the buffer's end starts again at 0 (the tail of the
 * buffer is left unused until then). Before a record is written, the oldest records in its way are dropped,
 * and counted.
 */
import type { JournalEntry } from './entry.ts';
import { decodeEntry, encodeEntry, recordBound, recordLength, type EntryToKeep } from './codec.ts';

/** Offset slots at first; doubled as needed up to maxEntries. */
const FIRST_SLOTS = 64;

export class EntryRing {
  readonly #maxEntries: number;
  readonly #capacity: number;
  #buf: Buffer | undefined;
  #view: DataView | undefined;
  /** Offsets of the kept records, oldest first from `#head`, circular over `#offsets.length`. */
  #offsets: Float64Array;
  #head = 0;
  #count = 0;
  /** Where the next record goes unless it must start again at 0. */
  #tail = 0;
  #bytes = 0;
  #dropped = 0;

  /** `dropped`: the count to go on from (a ring remade to forget one scope keeps counting). */
  constructor(maxEntries: number, maxBytes: number, dropped = 0) {
    this.#maxEntries = maxEntries;
    this.#capacity = maxBytes;
    this.#offsets = new Float64Array(Math.min(FIRST_SLOTS, maxEntries));
    this.#dropped = dropped;
  }

  get count(): number {
    return this.#count;
  }

  /** Bytes of the kept records. */
  get bytes(): number {
    return this.#bytes;
  }

  get dropped(): number {
    return this.#dropped;
  }

  /** Keeps `entry`; false (and counted as dropped) when it cannot fit even in an empty buffer. */
  store(entry: EntryToKeep): boolean {
    let bound = recordBound(entry);
    // The worst case of its short strings may not fit a small ring where the entry itself does.
    if (bound > this.#capacity) bound = recordBound(entry, true);
    if (bound > this.#capacity) {
      this.#dropped += 1;
      return false;
    }
    const at = this.#reserve(bound);
    const length = encodeEntry(entry, this.#buf as Buffer, this.#view as DataView, at);
    this.#keep(at, length);
    return true;
  }

  /** Keeps a record as another ring encoded it (`bytes`: one whole record). */
  storeRecord(bytes: Buffer): void {
    const at = this.#reserve(bytes.length);
    bytes.copy(this.#buf as Buffer, at);
    this.#keep(at, bytes.length);
  }

  /** The kept records' bytes, oldest first, each with its entry decoded (to choose which to keep). */
  *records(): Generator<{ readonly entry: JournalEntry; readonly bytes: Buffer }> {
    const buf = this.#buf;
    if (buf === undefined) return;
    for (let i = 0; i < this.#count; i++) {
      const at = this.#offsets[(this.#head + i) % this.#offsets.length] as number;
      yield { entry: decodeEntry(buf, at), bytes: buf.subarray(at, at + recordLength(buf, at)) };
    }
  }

  /** Room for `bound` bytes (and a slot), the oldest records in the way dropped: where to write. */
  #reserve(bound: number): number {
    while (this.#count >= this.#maxEntries) this.#dropOldest();
    const at = this.#place(bound);
    // The buffer is made at the first entry: a server whose journal is on but idle holds none of it.
    if (this.#buf === undefined) {
      this.#buf = Buffer.allocUnsafeSlow(this.#capacity);
      this.#view = new DataView(this.#buf.buffer, this.#buf.byteOffset, this.#buf.byteLength);
    }
    return at;
  }

  /** Notes a record written at `at`. */
  #keep(at: number, length: number): void {
    this.#tail = at + length;
    if (this.#count === this.#offsets.length) {
      // Every slot is taken (and there are fewer than maxEntries): twice the slots, in order from 0.
      const grown = new Float64Array(Math.min(this.#maxEntries, this.#offsets.length * 2));
      for (let i = 0; i < this.#count; i++) grown[i] = this.#offsets[(this.#head + i) % this.#offsets.length] as number;
      this.#offsets = grown;
      this.#head = 0;
    }
    this.#offsets[(this.#head + this.#count) % this.#offsets.length] = at;
    this.#count += 1;
    this.#bytes += length;
  }

  /** The kept entries, oldest first, decoded. */
  *entries(): Generator<JournalEntry> {
    const buf = this.#buf;
    if (buf === undefined) return;
    for (let i = 0; i < this.#count; i++) yield decodeEntry(buf, this.#offsets[(this.#head + i) % this.#offsets.length] as number);
  }

  /** The newest entry, decoded (for listeners). */
  newest(): JournalEntry | undefined {
    if (this.#count === 0 || this.#buf === undefined) return undefined;
    return decodeEntry(this.#buf, this.#offsets[(this.#head + this.#count - 1) % this.#offsets.length] as number);
  }

  /** Forgets every entry (and, with `resetDropped`, the count of dropped ones). */
  clear(resetDropped: boolean): void {
    this.#head = 0;
    this.#count = 0;
    this.#tail = 0;
    this.#bytes = 0;
    if (resetDropped) this.#dropped = 0;
  }

  /** Where a record of at most `bound` bytes can go, dropping the oldest records in its way. */
  #place(bound: number): number {
    for (;;) {
      if (this.#count === 0) {
        this.clear(false);
        return 0;
      }
      const oldest = this.#offsets[this.#head] as number;
      if (oldest < this.#tail) {
        // Kept: [oldest, tail). After the tail, or from 0 up to the oldest.
        if (this.#tail + bound <= this.#capacity) return this.#tail;
        if (bound <= oldest) return 0;
      } else if (this.#tail + bound <= oldest) {
        // Kept: [oldest, its end) and [0, tail): between them.
        return this.#tail;
      }
      this.#dropOldest();
    }
  }

  #dropOldest(): void {
    const at = this.#offsets[this.#head] as number;
    this.#bytes -= recordLength(this.#buf as Buffer, at);
    this.#head = (this.#head + 1) % this.#offsets.length;
    this.#count -= 1;
    this.#dropped += 1;
    // Emptied: the next record goes at the buffer's start.
    if (this.#count === 0) {
      this.#head = 0;
      this.#tail = 0;
    }
  }
}
