/**
 * Masking of secrets wherever traffic is logged, recorded or shown. A header or query parameter is secret
 * when its name contains one of the built-in words (so `X-Upstream-Auth`, `api_key` and `sig` are caught)
 * or equals a name of the configuration's `redact` list (any case). A JSON field of a recorded body or
 * message is secret when named by that list (its value masked, whatever it is), or when a word of its name
 * is one of the same built-in words (`password`, `accessToken`, `client_secret`, `X-Api-Key`; its string
 * values masked). Fields are matched by whole words, not by substring as header names are, because data
 * is full of names that merely contain them (`author`, `keyword`, `signal`, `design`); `key` alone counts
 * only after a word that makes it a secret (`apiKey`, `privateKey`, not `"key": "AAPL"` or `primaryKey`).
 */
import { BEARER_PROTOCOL } from './tokens.ts';

export const MASK = '***';

const BUILT_IN = /auth|cookie|token|key|secret|passw|signature|sig|session|credential|jwt/i;

/** The built-in words as whole words of a JSON field name (a trailing plural "s" ignored; `passw…` any ending). */
const SECRET_WORDS = new Set(['auth', 'authorization', 'cookie', 'token', 'secret', 'signature', 'sig', 'session', 'sessionid', 'credential', 'jwt', 'apikey']);
/** Words that make a following `key` (or `id`, for `session`) a secret. */
const KEY_QUALIFIERS = new Set(['api', 'access', 'private', 'secret', 'session', 'signing', 'encryption', 'master', 'client']);

/** A field name's words: `X-Api-Key`, `x_api_key` and `xApiKey` are all x, api, key; `APIKey` is api, key. */
function wordsOf(name: string): string[] {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
}

/** Whether a JSON field's name says it holds a secret, by the built-in words (see the header comment). */
export function isSecretField(name: string): boolean {
  // Most names hold none of the words even as a substring: one regular expression tells, without splitting.
  if (!BUILT_IN.test(name)) return false;
  const words = wordsOf(name);
  return words.some((word, i) => {
    if (word.startsWith('passw') || SECRET_WORDS.has(word) || (word.endsWith('s') && SECRET_WORDS.has(word.slice(0, -1)))) return true;
    const before = words[i - 1];
    return before !== undefined && KEY_QUALIFIERS.has(before) && (word === 'key' || word === 'keys' || (before === 'session' && word === 'id'));
  });
}

/** Deepest JSON a recorded message is walked to mask fields; deeper parts are kept as they are. */
const MAX_MASK_DEPTH = 64;

export interface Redactor {
  /** Whether a header or query parameter of this name holds a secret. */
  isSecret(name: string): boolean;
  headers(headers: Readonly<Record<string, string>>): Record<string, string>;
  /** An absolute URL, or a path with a query, with its secret parameters masked. */
  url(url: string): string;
  /** A subprotocol: `bearer.<token>` carries a token. */
  protocol(protocol: string): string;
  /**
   * Masks the secret fields of a parsed JSON value in place (see the header comment); says whether it
   * changed anything.
   */
  json(value: unknown): boolean;
  /** A message's text: JSON with secret fields gets them masked (and is written anew); else unchanged. */
  message(text: string): string;
  /**
   * Streamed text (Server-Sent Events, JSON lines): each line that is JSON, or an SSE `data:` line whose
   * value is, gets its secret fields masked; line ends are kept.
   */
  lines(text: string): string;
}

export function createRedactor(names: readonly string[] = []): Redactor {
  const listed = new Set(names.map((n) => n.toLowerCase()));
  const isSecret = (name: string): boolean => BUILT_IN.test(name) || listed.has(name.toLowerCase());

  // A listed name masks whatever the field holds; a built-in one only a string (an object under it is
  // walked instead: `credentials: { user, password }` keeps its user).
  const maskFields = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value !== 'object' || depth > MAX_MASK_DEPTH) return false;
    let changed = false;
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const field = record[key];
      if (!listed.has(key.toLowerCase()) && !(typeof field === 'string' && isSecretField(key))) changed = maskFields(field, depth + 1) || changed;
      else if (field !== MASK) {
        record[key] = MASK;
        changed = true;
      }
    }
    return changed;
  };
  const message = (text: string): string => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return text;
    }
    return maskFields(value, 0) ? JSON.stringify(value) : text;
  };
  const maskLine = (line: string): string => {
    const head = /^data: ?/.exec(line)?.[0] ?? '';
    const rest = line.slice(head.length);
    if (!/^\s*[[{]/.test(rest)) return line;
    const masked = message(rest);
    return masked === rest ? line : `${head}${masked}`;
  };

  return {
    isSecret,
    headers: (headers) => Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, isSecret(name) ? MASK : value])),
    url(url) {
      const relative = url.startsWith('/');
      let parsed: URL;
      try {
        parsed = new URL(url, 'http://localhost');
      } catch {
        return url;
      }
      let changed = false;
      for (const key of new Set(parsed.searchParams.keys())) {
        if (isSecret(key)) {
          parsed.searchParams.set(key, MASK);
          changed = true;
        }
      }
      if (parsed.username !== '' || parsed.password !== '') {
        parsed.username = parsed.username === '' ? '' : MASK;
        parsed.password = parsed.password === '' ? '' : MASK;
        changed = true;
      }
      if (!changed) return url;
      return relative ? `${parsed.pathname}${parsed.search}` : parsed.toString();
    },
    protocol: (protocol) => (protocol.startsWith(BEARER_PROTOCOL) ? `${BEARER_PROTOCOL}${MASK}` : protocol),
    json: (value) => maskFields(value, 0),
    message,
    // Split at CR, LF and CRLF alike (as src/util/sse.ts reads them), the line ends kept at odd places.
    lines: (text) => text.split(/(\r\n|\r|\n)/).map((part, i) => (i % 2 === 1 ? part : maskLine(part))).join(''),
  };
}
