/**
 * What produced a message a client was sent, as the journal keeps it (`source`): one short string, so the
 * hot path hands a constant or a string made once per rule, route or stream. The forms, in one place:
 * `rule:<name>` (a rule's or `onConnect`'s step; a rule without a name is `rules[<index>]`), `route:<name>`
 * (an HTTP route's `publish` step), `stream:<name>` (a stream's tick, snapshot or script), `admin` (the
 * admin API or the library), `dialect` (the endpoint's own answer to a command: an acknowledgement, an
 * error, a pong), `proxy` (relayed from an upstream, or the proxy's own notice), `replay` (a recording
 * played back) and, for a change of the state only, `reload` (a configuration reload told to reset it) and
 * `closed` (a connection's own state, dropped when it left).
 */
export type MessageSource = string;

export const ADMIN_SOURCE: MessageSource = 'admin';
export const DIALECT_SOURCE: MessageSource = 'dialect';
export const PROXY_SOURCE: MessageSource = 'proxy';
export const REPLAY_SOURCE: MessageSource = 'replay';
export const RELOAD_SOURCE: MessageSource = 'reload';

export const ruleSource = (name: string): MessageSource => `rule:${name}`;
export const routeSource = (name: string): MessageSource => `route:${name}`;
export const streamSource = (name: string): MessageSource => `stream:${name}`;
