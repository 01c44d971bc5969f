/**
 * permessage-deflate (RFC 7692) as a setting: off, on with ws's defaults, or tuned. One mapping from the
 * setting to ws's options, for the server side of an endpoint or proxy route and the client side of a proxy
 * upstream, each negotiated on its own.
 */
import type { PerMessageDeflateOptions } from 'ws';

/** The tunable part; every field is optional and ws's default applies to what is left out. */
export interface DeflateSettings {
  /**
   * Messages smaller than this many bytes are sent uncompressed (ws: 1024). ws applies it only when the server
   * takes no context over (`serverNoContextTakeover`); with context takeover it compresses every message.
   */
  readonly threshold?: number | undefined;
  /** zlib compression level, 0-9 (zlib: 6). */
  readonly level?: number | undefined;
  /** zlib memory level, 1-9: lower saves memory per connection, compresses less (zlib: 8). */
  readonly memLevel?: number | undefined;
  readonly serverMaxWindowBits?: number | undefined;
  readonly clientMaxWindowBits?: number | undefined;
  readonly serverNoContextTakeover?: boolean | undefined;
  readonly clientNoContextTakeover?: boolean | undefined;
  /** zlib operations run at once, across every connection (ws: 10). */
  readonly concurrencyLimit?: number | undefined;
}

export type Deflate = boolean | DeflateSettings;

/** ws's option for a setting: false when off. Fields left out are not passed, so ws's defaults hold. */
export function wsDeflateOptions(setting: Deflate | undefined): PerMessageDeflateOptions | false {
  if (setting === undefined || setting === false) return false;
  if (setting === true) return {};
  const { level, memLevel, ...rest } = setting;
  const options: PerMessageDeflateOptions = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  if (level !== undefined || memLevel !== undefined) options.zlibDeflateOptions = { ...(level === undefined ? {} : { level }), ...(memLevel === undefined ? {} : { memLevel }) };
  return options;
}

/**
 * A key that is the same for equal settings: one ws server per distinct setting, shared by its endpoints (the
 * transport keeps the server of each setting object it has seen, so this runs once per setting).
 */
export function deflateKey(setting: Deflate | undefined): string {
  // The same keys as the options' JSON below: off is `false`, on with ws's defaults `{}`.
  if (setting === undefined || setting === false) return 'false';
  if (setting === true) return '{}';
  return JSON.stringify(wsDeflateOptions(setting));
}
