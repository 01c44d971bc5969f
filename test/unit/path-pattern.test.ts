import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bySpecificity, compilePathPattern, displayPath, pathPatternProblem } from '../../src/util/path-pattern.ts';
import { startServer } from '../helpers/server.ts';
import { wsConnect } from '../helpers/ws-connect.ts';

describe('path patterns', () => {
  it('match exact paths, one-segment parameters and a trailing wildcard', () => {
    const exact = compilePathPattern('/ws');
    assert.deepEqual(exact.match('/ws'), {});
    assert.deepEqual(exact.match('/ws/'), {}, 'a trailing slash is ignored');
    assert.equal(exact.match('/ws/x'), undefined);
    const room = compilePathPattern('/rooms/:id/feed');
    assert.deepEqual(room.match('/rooms/42/feed'), { id: '42' });
    assert.deepEqual(room.match('/rooms/a%20b/feed'), { id: 'a b' });
    assert.equal(room.match('/rooms//feed'), undefined, 'a parameter is never empty');
    assert.equal(room.match('/rooms/1/2/feed'), undefined, 'a parameter is exactly one segment');
    const rest = compilePathPattern('/feeds/*');
    assert.deepEqual(rest.match('/feeds/a/b'), { '*': 'a/b' });
    assert.deepEqual(rest.match('/feeds/'), { '*': '' });
    assert.deepEqual(compilePathPattern('/*').match('/anything/at/all'), { '*': 'anything/at/all' });
  });

  it('order the most specific first, and refuse malformed patterns with why', () => {
    const sorted = ['/*', '/rooms/:id', '/rooms/*', '/rooms/lobby'].map(compilePathPattern).sort(bySpecificity).map((p) => p.source);
    assert.deepEqual(sorted, ['/rooms/lobby', '/rooms/:id', '/rooms/*', '/*']);
    assert.equal(pathPatternProblem('/a/*/b'), '"*" may only end a path');
    assert.equal(pathPatternProblem('/a/x:id'), undefined, 'a colon inside a segment is literal');
    assert.equal(pathPatternProblem('/a/:'), '":" is not a parameter: write ":name" or ":name(regex)" as a whole segment');
    assert.equal(pathPatternProblem('/:id/:id'), 'parameter ":id" appears twice');
    assert.equal(displayPath('/feeds/*'), '/feeds/');
  });

  it('a parameter may be limited by a regular expression of its whole value; limited beats free', () => {
    const limited = compilePathPattern('/feeds/:symbol(btcusd|ethusd)/book');
    assert.deepEqual(limited.match('/feeds/btcusd/book'), { symbol: 'btcusd' });
    assert.equal(limited.match('/feeds/xrpusd/book'), undefined);
    assert.equal(limited.match('/feeds/btcusdx/book'), undefined, 'the whole value, not a part of it');
    assert.deepEqual(compilePathPattern('/v/:id([0-9]+)').match('/v/42'), { id: '42' });
    assert.equal(compilePathPattern('/v/:id([0-9]+)').match('/v/4a'), undefined);
    assert.equal(pathPatternProblem('/v/:id([a-z]*)'), undefined, 'a "*" in a constraint is the expression\'s');
    assert.match(pathPatternProblem('/v/:id([)') ?? '', /^parameter ":id": Invalid regular expression/);
    const sorted = ['/f/:s', '/f/:s(a|b)'].map(compilePathPattern).sort(bySpecificity).map((p) => p.source);
    assert.deepEqual(sorted, ['/f/:s(a|b)', '/f/:s']);
  });

  it('route WebSocket upgrades: a parameter endpoint takes one segment, the most specific endpoint wins', async () => {
    const { ws } = await startServer({
      endpoints: [
        { path: '/rooms/:id', dialect: 'raw', onConnect: [{ reply: 'room' }] },
        { path: '/rooms/lobby', dialect: 'raw', onConnect: [{ reply: 'lobby' }] },
        { path: '/rooms/*', dialect: 'raw', onConnect: [{ reply: 'any' }] },
      ],
    });
    for (const [path, greeting] of [['/rooms/42', 'room'], ['/rooms/lobby', 'lobby'], ['/rooms/42/x', 'any'], ['/rooms/', 'any']] as const) {
      const client = await wsConnect(ws(path));
      assert.equal((await client.nextRaw()).text, greeting, path);
      await client.close();
    }
  });
});
