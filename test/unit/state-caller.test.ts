/**
 * Who an HTTP caller is (src/state/caller.ts): a header's or a cookie's value names the scope `caller:<value>`,
 * by its SHA-256 when the value is a secret or long; nothing when the request carries none.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { callerOf } from '../../src/state/caller.ts';

const hash = (value: string) => `caller:#${createHash('sha256').update(value).digest('base64url')}`;

describe('callers', () => {
  it('reads a header (any case, the first of a repeated one) or a cookie among others; none without', () => {
    const byHeader = callerOf('header:X-User');
    assert.equal(byHeader({ 'x-user': 'ada' }), 'caller:ada');
    assert.equal(byHeader({ 'x-user': ['ada', 'bob'] }), 'caller:ada');
    assert.equal(byHeader({}), undefined);
    assert.equal(byHeader({ 'x-user': '' }), undefined, 'an empty value is no caller');
    const byCookie = callerOf('cookie:sid');
    assert.equal(byCookie({ cookie: 'theme=dark; sid=abc ; other=1' }), 'caller:abc');
    assert.equal(byCookie({ cookie: 'xsid=abc' }), undefined, 'another cookie whose name ends alike is not it');
    assert.equal(byCookie({}), undefined);
    assert.equal(callerOf(undefined)({ cookie: 'sid=abc' }), undefined, 'no stateStore.caller: no callers');
  });

  it('names a secret or long value by its SHA-256, never by the value', () => {
    assert.equal(callerOf('cookie:sid', { hidden: true })({ cookie: 'sid=abc' }), hash('abc'));
    const long = 'x'.repeat(129);
    assert.equal(callerOf('header:x-user')({ 'x-user': long }), hash(long));
    assert.equal(callerOf('header:x-user')({ 'x-user': 'x'.repeat(128) }), `caller:${'x'.repeat(128)}`);
  });
});
