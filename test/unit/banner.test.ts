/**
 * The banner says each rule and each route in one line while there are few, and counts them when there are
 * many; a line longer than a terminal is cut.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { banner } from '../../src/cli/banner.ts';
import type { StartInfo } from '../../src/server/mock-server.ts';

function info(rules: string[], routes: string[]): StartInfo {
  return {
    url: 'http://127.0.0.1:3000',
    host: '127.0.0.1',
    port: 3000,
    endpoints: [{ path: '/ws', dialect: 'raw', url: 'ws://127.0.0.1:3000/ws', streams: [], rules }],
    dashboard: undefined,
    websocket: true,
    proxy: undefined,
    http: { routes, fallback: undefined },
  };
}

describe('the banner', () => {
  it('lists a few rules and routes one line each', () => {
    const text = banner(info(['when {"type":"ping"} then reply {"type":"pong"}', 'on connect: reply "hi"'], ['GET /x -> respond 200 (no body)']), [], 'default');
    assert.match(text, /\n {4}\(no streams\)\n {4}when \{"type":"ping"\} then reply \{"type":"pong"\}\n {4}on connect: reply "hi"\n {2}HTTP: 1 route\(s\)\n {4}GET \/x -> respond 200 \(no body\)\n/);
  });

  it('counts many rules, shows the first routes and counts the rest, and cuts long lines', () => {
    const rules = Array.from({ length: 6 }, (_, i) => `when {"n":${i}} then drop`);
    const routes = Array.from({ length: 12 }, (_, i) => `GET /r${i} -> respond 200 (text body)`);
    const text = banner(info(rules, [`GET /long -> ${'respond 200 (json body), '.repeat(10)}`, ...routes]), [], 'default');
    assert.match(text, /\n {4}6 rules \(each in one line: GET \/admin\/websocket\/stats\)\n/);
    assert.doesNotMatch(text, /when \{"n":0\}/);
    assert.match(text, /\n {4}… and 3 more \(GET \/admin\/http\/routes\)\n/);
    const long = text.split('\n').find((line) => line.startsWith('    GET /long'));
    assert.equal(long?.length, 160);
    assert.ok(long?.endsWith('…'));
  });
});
