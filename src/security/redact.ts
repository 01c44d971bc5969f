/**
 * Masking of secrets wherever traffic is logged, recorded or shown. A header or query parameter is secret
 * when its name contains one of the built-in words (so `X-Upstream-Auth`, `api_key` and `sig` are caught)
 * or equals a name of the configuration's `redact` list; JSON fields in recorded messages are masked only
 * when named by that list (the built-in words would catch ordinary data such as `"key": "AAPL"`).
 */
import { BEARER_PROTOCOL } from './tokens.ts';

export const MASK = '***';

const BUILT_IN = /auth|cookie|token|key|secret|passw|signature|sig|session|credential|jwt/i;

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
  /** A message's text: JSON whose fields are named by the `redact` list get those masked; else unchanged. */
  message(text: string): string;
}

export function createRedactor(names: readonly string[] = []): Redactor {
  const listed = new Set(names.map((n) => n.toLowerCase()));
  const isSecret = (name: string): boolean => BUILT_IN.test(name) || listed.has(name.toLowerCase());

  const maskFields = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value !== 'object' || depth > MAX_MASK_DEPTH) return false;
    let changed = false;
    for (const key of Object.keys(value)) {
      const record = value as Record<string, unknown>;
      if (listed.has(key.toLowerCase())) {
        record[key] = MASK;
        changed = true;
      } else changed = maskFields(record[key], depth + 1) || changed;
    }
    return changed;
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
    message(text) {
      if (listed.size === 0) return text;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return text;
      }
      return maskFields(value, 0) ? JSON.stringify(value) : text;
    },
  };
}
