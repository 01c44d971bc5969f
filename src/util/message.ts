/**
 * One client message as every reader sees it: its bytes, and its text and JSON value read lazily and at most
 * once, so the rules and the dialect that both look at a message parse it once between them.
 */
import { errorMessage } from '../errors/error-message.ts';

export type JsonReading = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const NOT_READ: unique symbol = Symbol('not read');

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

  /** The UTF-8 text; undefined for a binary message. */
  get text(): string | undefined {
    if (this.#text === NOT_READ) this.#text = this.isBinary ? undefined : this.data.toString('utf8');
    return this.#text;
  }

  /** The text parsed as JSON, or why it is not JSON (a binary message is not). */
  json(): JsonReading {
    if (this.#json === undefined) {
      const text = this.text;
      if (text === undefined) this.#json = { ok: false, error: 'a binary message' };
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
