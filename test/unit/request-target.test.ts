import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RequestTarget } from '../../src/util/request-target.ts';

describe('request targets', () => {
  it('read every path and query exactly as URL does, the query through a URL', () => {
    const targets = ['/ws', '/ws?x=1', '/ws#a', '/ws?a=/b/../c', '/a/b/../c', '/a/./b', '/..', '//evil/x', '/ws/proxy/r/x y', '/é', '/a%20b', '/a/b/', '/a..b/c', '/a:b@c', '/ws/proxy/binance/ws/btcusdt@trade?x', '/a\\b', '/a|b', '*', 'http://host/x', '/ws?token=a%20b&x'];
    for (const raw of targets) {
      const url = new URL(raw, 'http://localhost');
      const target = RequestTarget.read(raw);
      assert.ok(target !== undefined, raw);
      assert.equal(target.path, url.pathname, raw);
      assert.equal(target.url.href, url.href, raw);
      assert.equal(RequestTarget.read(raw)?.search, url.search, `${raw}: the query as written`);
    }
    for (const raw of ['/p?', '/p#f?x', '/p?a=1#f', 'http://host/x?y']) assert.equal(RequestTarget.read(raw)?.search, new URL(raw, 'http://localhost').search, raw);
    assert.equal(RequestTarget.read(undefined)?.path, '/');
  });

  it('are undefined, never a throw, for targets that are not URLs', () => {
    // Each of these ended the process when a request carried it (issue: one malformed request must not stop the server).
    for (const raw of ['//[', '//[::1', 'http://x:99999/', 'http://[/', '//a b/', 'http://', '//%/', 'h://[x]']) {
      assert.equal(RequestTarget.read(raw), undefined, raw);
      assert.throws(() => new URL(raw, 'http://localhost'), raw);
    }
  });
});
