import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pathOf } from '../../src/transport/request-path.ts';

describe('request paths', () => {
  it('read every target exactly as URL does', () => {
    const targets = ['/ws', '/ws?x=1', '/ws#a', '/ws?a=/b/../c', '/a/b/../c', '/a/./b', '/..', '//evil/x', '/ws/proxy/r/x y', '/é', '/a%20b', '/a/b/', '/a..b/c', '/a:b@c', '/ws/proxy/binance/ws/btcusdt@trade?x', '/a\\b', '/a|b', '*', 'http://host/x'];
    for (const target of targets) assert.equal(pathOf(target), new URL(target, 'http://localhost').pathname, target);
    assert.equal(pathOf(undefined), '/');
  });
});
