/**
 * One client message as every reader sees it: its bytes, and its text and JSON value read lazily and at most
 * once, so the rules and the dialect that both look at a message parse it once between them.
 *
 * A binary frame whose bytes are valid UTF-8 has that text too, so binary JSON (which the guide recommends for
 * large transfers) reads like the same JSON sent as text; other binary has no text and no JSON.
 */
import { isUtf8 } from 'node:buffer';
import { errorMessage } from '../errors/error-message.ts';

export type JsonReading = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const NOT_READ: unique symbol = Symbol('not read');

/** What JSON.parse says of empty text. */
const EMPTY: JsonReading = Object.freeze({ ok: false, error: 'Unexpected end of JSON input' });

export class Message {
  readonly data: Buffer;
  readonly isBinary: boolean;
  #text: string | undefined | typeof NOT_READ = NOT_READ;
  #json: JsonReading | undefined;

  constructor(data: Buffer, isBinary: boolean) {
    this.data = data;
    this.isBinary = isBinary;
  }

  /** A text message from a string (tests, and messages made by the server itself). */
  static text(text: string): Message {
    return new Message(Buffer.from(text), false);
  }

  /** The UTF-8 text; undefined for a binary message whose bytes are not UTF-8. */
  get text(): string | undefined {
    if (this.#text === NOT_READ) this.#text = this.isBinary && !isUtf8(this.data) ? undefined : this.data.toString('utf8');
    return this.#text;
  }

  /** The bytes as base64: what a template sees of a binary message (`{{messageBase64}}`). */
  get base64(): string {
    return this.data.toString('base64');
  }

  /** The text parsed as JSON, or why it is not JSON (binary that is not UTF-8 is not). */
  json(): JsonReading {
    if (this.#json === undefined) {
      const text = this.text;
      if (text === undefined) this.#json = { ok: false, error: 'binary data that is not UTF-8 text' };
      // No text is no JSON: said without JSON.parse throwing (every GET's empty body reached here).
      else if (text.length === 0) this.#json = EMPTY;
      else {
        try {
          this.#json = { ok: true, value: JSON.parse(text) as unknown };
        } catch (error) {
          this.#json = { ok: false, error: errorMessage(error) };
        }
      }
    }
    return this.#json;
  }

  /** True when the message is JSON text. */
  get isJson(): boolean {
    return this.json().ok;
  }

  /** The JSON value; undefined when the message is not JSON. */
  get value(): unknown {
    const json = this.json();
    return json.ok ? json.value : undefined;
  }
}
