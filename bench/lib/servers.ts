/**
 * How each server under test is started for a piece of work: mockwave (the compiled CLI, as users run it),
 * the bare baseline (`ws` or `node:http`), Mockoon, and the calibration server (bench/peers/calibrate.mjs: the
 * least a server can do, which shows what the load client can measure). A `Work` says what the server must
 * do; each starter turns it into that server's own configuration.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockwaveRoute, type HttpMode } from './http-work.ts';
import { mockoonEnvironment } from './mockoon.ts';
import { freePort, startServer, type ServerProcess } from './processes.ts';

/** `journal-on`: mockwave with `journal.enabled: true` (off by default), for what the journal costs (issue 29). */
export type ServerName = 'calibration' | 'bare' | 'mockwave' | 'journal-on' | 'mockoon';

export type Work =
  | { readonly kind: 'pingpong' }
  /**
   * A message matched by a rule and answered from a template. Bare either echoes (the least a server can do)
   * or writes the same reply by hand (`fill`: what mockwave's rule costs over code doing the same work).
   * `gated`: mockwave's rule also has a `state:` condition that holds (what a state gate costs, issue 30).
   */
  | { readonly kind: 'templated-reply'; readonly bare: 'echo' | 'fill'; readonly gated?: boolean }
  /** `deflate`: permessage-deflate on every message (threshold 0) on both servers, and offered by the clients. */
  | { readonly kind: 'broadcast'; readonly streams: number; readonly interval: number; readonly deflate?: boolean }
  | { readonly kind: 'idle'; readonly heartbeat: number }
  /** An HTTP row's route (bench/lib/http-rows.ts; bare: node:http doing the same by hand). */
  | { readonly kind: 'http'; readonly mode: HttpMode }
  /**
   * One stream over Server-Sent Events (bare: node:http writing each event to every response). `held`: the
   * events start when the bench says so (bench/lib/scenarios.ts, sseFanOut), once every client is connected.
   */
  | { readonly kind: 'sse-broadcast'; readonly interval: number; readonly held?: boolean };

export const ORDER = '{"type":"order","symbol":"AAPL","qty":5}';
export const PING = '{"type":"ping"}';
export const subscribeTo = (stream: string): string => JSON.stringify({ type: 'subscribe', event: stream });
export const streamName = (i: number): string => `s${i}`;

const ROOT = new URL('../../', import.meta.url).pathname;

function mockwaveConfig(work: Work): unknown {
  const websocket = { heartbeatInterval: work.kind === 'idle' ? work.heartbeat : 30_000 };
  switch (work.kind) {
    case 'pingpong':
    case 'idle':
      return { websocket, endpoints: [{ path: '/ws', dialect: 'guide' }] };
    case 'templated-reply':
      return {
        websocket,
        endpoints: [
          {
            path: '/ws',
            dialect: 'raw',
            rules: [
              { when: { type: 'cancel' }, then: [{ reply: { type: 'cancelled' } }] },
              {
                when: { type: 'order' },
                ...(work.gated === true ? { state: { 'market.open': { eq: true, default: true } } } : {}),
                then: [{ reply: { type: 'fill', id: '{{uuid}}', symbol: '{{message.symbol}}', qty: '{{message.qty}}', price: '{{float 99 101 precision=2}}', at: '{{now}}' } }],
              },
            ],
          },
        ],
      };
    case 'sse-broadcast':
      return {
        endpoints: [{ path: '/events', protocol: 'sse', sse: { heartbeat: 0 }, streams: [{ name: 's0', interval: work.interval, data: { symbol: 'AAPL', price: '{{walk 100 0.5}}' } }] }],
      };
    case 'http':
      return { endpoints: [], http: { routes: [mockwaveRoute(work.mode)] } };
    case 'broadcast':
      return {
        websocket,
        endpoints: [
          {
            path: '/ws',
            dialect: 'guide',
            ...(work.deflate === true ? { perMessageDeflate: { threshold: 0 } } : {}),
            streams: Array.from({ length: work.streams }, (_, i) => ({ name: streamName(i), interval: work.interval, data: { symbol: 'AAPL', price: '{{walk 100 0.5}}' } })),
          },
        ],
      };
  }
}

function bareArgs(work: Work): string[] {
  switch (work.kind) {
    case 'pingpong':
      return ['pingpong'];
    case 'templated-reply':
      return [work.bare];
    case 'broadcast':
      return ['broadcast', String(work.streams), String(work.interval), '0', work.deflate === true ? 'deflate' : 'plain'];
    case 'idle':
      return ['idle', '1', '10', String(work.heartbeat)];
    case 'http':
      return [work.mode];
    case 'sse-broadcast':
      return [String(work.interval), work.held === true ? 'held' : 'now'];
  }
}

/** The calibration server's mode for a piece of work: the same protocol and pattern, a constant answer. */
function calibrationArgs(work: Work): string[] {
  switch (work.kind) {
    case 'http':
      return ['http'];
    case 'sse-broadcast':
      return ['sse', String(work.interval), work.held === true ? 'held' : 'now'];
    case 'broadcast':
      return ['ws-broadcast', String(work.streams), String(work.interval)];
    case 'pingpong':
    case 'templated-reply':
    case 'idle':
      return ['ws-reply'];
  }
}

// The space in `}} }` matters: Handlebars would read `}}}` as the end of a triple-stash and render nothing.
const MOCKOON_EVENT = '{"type":"event","name":"s0","data":{"symbol":"AAPL","price":{{faker \'number.float\' min=99 max=101 fractionDigits=2}} },"timestamp":"{{now}}"}';
const MOCKOON_FILL =
  '{"type":"fill","id":"{{faker \'string.uuid\'}}","symbol":"{{body \'symbol\'}}","qty":{{body \'qty\'}},"price":{{faker \'number.float\' min=99 max=101 fractionDigits=2}},"at":"{{now}}"}';

const MOCKOON_ORDER = '{"id":"{{urlParam \'id\'}}","status":"{{oneOf (array \'open\' \'filled\')}}","qty":{{int 1 10}},"at":"{{now}}"}';

/** Starts `server` doing `work` on a free port of 127.0.0.1; undefined when that server cannot do it. */
export async function start(server: ServerName, work: Work, tmp: string, mockoonBin: string | undefined): Promise<ServerProcess | undefined> {
  const port = await freePort();
  switch (server) {
    case 'mockwave':
    case 'journal-on': {
      const file = join(tmp, `mockwave-${work.kind}-${port}.json`);
      const config = mockwaveConfig(work) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify(server === 'journal-on' ? { ...config, journal: { enabled: true } } : config));
      return startServer(process.execPath, [join(ROOT, 'dist/mockwave.js'), file, '--port', String(port), '--host', '127.0.0.1', '--log-level', 'error'], port, tmp);
    }
    case 'bare':
      return startServer(process.execPath, [join(ROOT, `bench/peers/${work.kind === 'http' ? 'bare-http' : work.kind === 'sse-broadcast' ? 'bare-sse' : 'bare-ws'}.mjs`), String(port), ...bareArgs(work)], port);
    case 'calibration':
      return startServer(process.execPath, [join(ROOT, 'bench/peers/calibrate.mjs'), String(port), ...calibrationArgs(work)], port);
    case 'mockoon': {
      if (mockoonBin === undefined) return undefined;
      let environment: string;
      if (work.kind === 'pingpong') environment = mockoonEnvironment({ kind: 'reply', body: '{"type":"pong","timestamp":"{{now}}"}' }, port, tmp);
      else if (work.kind === 'templated-reply') environment = mockoonEnvironment({ kind: 'reply', body: MOCKOON_FILL, match: { field: 'type', value: 'order' } }, port, tmp);
      // One Mockoon route broadcasts one stream: it has no way to subscribe a client to ten.
      else if (work.kind === 'broadcast' && work.streams === 1) environment = mockoonEnvironment({ kind: 'broadcast', body: MOCKOON_EVENT, interval: work.interval }, port, tmp);
      else if (work.kind === 'idle') environment = mockoonEnvironment({ kind: 'reply', body: '{}' }, port, tmp);
      else if (work.kind === 'http' && work.mode === 'route') environment = mockoonEnvironment({ kind: 'http', endpoint: 'api/orders/:id', body: MOCKOON_ORDER }, port, tmp);
      else return undefined;
      return startServer(process.execPath, [mockoonBin, 'start', '--data', environment, '--port', String(port), '--hostname', '127.0.0.1', '--disable-log-to-file'], port, tmp);
    }
  }
}
