/**
 * A fault profile read once into what a fault line asks per message: shares as numbers (0 when absent, so
 * a check is one comparison), ranges parsed, and the profile's one line for logs, the banner and the admin API.
 */
import { parseRange, type NumberRange } from '../util/range.ts';
import type { FaultProfileKeys } from './schema.ts';

export interface Trigger {
  readonly afterMessages: number | undefined;
  readonly after: NumberRange | undefined;
}

export interface CompiledProfile {
  readonly source: FaultProfileKeys;
  /** Whether the per-message faults touch messages out, and in. */
  readonly out: boolean;
  readonly in: boolean;
  readonly clients: number;
  /** Only this client, or only clients of this test scope. */
  readonly client: string | undefined;
  readonly scope: string | undefined;
  readonly latency: NumberRange | undefined;
  readonly drop: number;
  readonly duplicate: number;
  readonly corrupt: number;
  readonly corruptAs: 'json' | 'truncate';
  readonly disconnect: (Trigger & { readonly code: number; readonly reason: string; readonly abrupt: boolean }) | undefined;
  readonly stall: (Trigger & { readonly for: NumberRange | undefined }) | undefined;
  /** New connections refused while it is on: how. */
  readonly refuse: { readonly status: 503 | 429; readonly retryAfter: number | undefined; readonly reset: boolean } | undefined;
  /** The profile in one line: "drop 10%, latency 50-200 ms, disconnect after 20 messages (1001)". */
  readonly text: string;
}

/** The close a disconnect sends unless told: 1001, as a server going away (a restart) does. */
export const FAULT_CLOSE_CODE = 1001;
export const FAULT_CLOSE_REASON = 'fault injected: disconnect';

function range(value: number | string | undefined): NumberRange | undefined {
  return value === undefined ? undefined : parseRange(value);
}

function trigger(value: { afterMessages?: number | undefined; after?: number | string | undefined }): Trigger {
  return { afterMessages: value.afterMessages, after: range(value.after) };
}

const ms = (r: NumberRange): string => (r.min === r.max ? `${r.min} ms` : `${r.min}-${r.max} ms`);
const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;

function when(t: Trigger): string {
  const parts = [t.afterMessages === undefined ? '' : `after ${t.afterMessages} message(s)`, t.after === undefined ? '' : `after ${ms(t.after)}`];
  return parts.filter((p) => p !== '').join(' or ');
}

export function compileProfile(profile: FaultProfileKeys): CompiledProfile {
  const disconnect = profile.disconnect === undefined ? undefined : { ...trigger(profile.disconnect), code: profile.disconnect.code ?? FAULT_CLOSE_CODE, reason: profile.disconnect.reason ?? FAULT_CLOSE_REASON, abrupt: profile.disconnect.abrupt };
  const stall = profile.stall === undefined ? undefined : { ...trigger(profile.stall), for: range(profile.stall.for) };
  const refuse = profile.refuse === undefined ? undefined : { status: profile.refuse.status, retryAfter: profile.refuse.retryAfter, reset: profile.refuse.reset };
  const compiled = {
    source: profile,
    out: profile.direction !== 'in',
    in: profile.direction !== 'out',
    clients: profile.clients,
    client: profile.client,
    scope: profile.scope,
    latency: range(profile.latency),
    drop: profile.drop ?? 0,
    duplicate: profile.duplicate ?? 0,
    corrupt: profile.corrupt ?? 0,
    corruptAs: profile.corruptAs,
  };
  const text = [
    compiled.latency === undefined ? '' : `latency ${ms(compiled.latency)}`,
    compiled.drop > 0 ? `drop ${percent(compiled.drop)}` : '',
    compiled.duplicate > 0 ? `duplicate ${percent(compiled.duplicate)}` : '',
    compiled.corrupt > 0 ? `corrupt ${percent(compiled.corrupt)} (${compiled.corruptAs})` : '',
    disconnect === undefined ? '' : `disconnect ${when(disconnect)} (${disconnect.abrupt ? 'reset' : disconnect.code})`,
    stall === undefined ? '' : `stall ${when(stall)}${stall.for === undefined ? '' : ` for ${ms(stall.for)}`}`,
    refuse === undefined ? '' : `refuse new connections (${refuse.reset ? 'reset' : `${refuse.status}${refuse.retryAfter === undefined ? '' : `, Retry-After ${refuse.retryAfter} s`}`})`,
  ].filter((part) => part !== '');
  const whom = [profile.direction === 'out' ? '' : `messages ${profile.direction === 'in' ? 'in' : 'in and out'}`, profile.clients < 1 ? `${percent(profile.clients)} of clients` : '', profile.client === undefined ? '' : `client ${profile.client} only`, profile.scope === undefined ? '' : `scope ${profile.scope} only`].filter((p) => p !== '');
  return Object.freeze({ ...compiled, disconnect, stall, refuse, text: `${text.join(', ') || 'nothing'}${whom.length > 0 ? ` (${whom.join(', ')})` : ''}` });
}
