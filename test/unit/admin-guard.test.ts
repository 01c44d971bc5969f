/**
 * The admin API's guard against web pages (security/admin-guard.ts), case by case: which Host names a
 * loopback-bound server answers, which Origins may change it, which bodies it reads. The same guard through a
 * running server is in test/integration/attacks.test.ts ("the admin API from web pages").
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { friendlyOrigin, guardAdminRequest, hostName, isLoopbackName } from '../../src/security/admin-guard.ts';

const request = (method: string, headers: Record<string, string>) => ({ method, url: '/admin/websocket/streams', headers }) as unknown as IncomingMessage;
const codeOf = (req: IncomingMessage, options: { host: string | undefined; origins: readonly string[] }) => guardAdminRequest(req, options)?.code;

describe('the admin guard', () => {
  it('knows loopback names: localhost and its subdomains, 127.0.0.0/8, ::1 in either spelling, in any case', () => {
    for (const name of ['localhost', 'LOCALHOST', 'app.localhost', '127.0.0.1', '127.9.8.7', '::1', '[::1]', '0:0:0:0:0:0:0:1']) assert.ok(isLoopbackName(name), name);
    for (const name of ['', 'localhost.evil.test', 'evil-localhost', '128.0.0.1', '10.0.0.1', '1.127.0.0', '::2', '[::ffff:127.0.0.1]', 'example.com', '127.0.0.1.evil.test']) assert.ok(!isLoopbackName(name), name);
    // Brackets are taken off an IPv6 literal's two ends only, never from inside a name.
    for (const name of ['::1[', 'local]host', '[local]host']) assert.ok(!isLoopbackName(name), name);
  });

  it('reads a Host header\'s name without its port; an unreadable one is undefined', () => {
    assert.equal(hostName('127.0.0.1:8080'), '127.0.0.1');
    assert.equal(hostName('[::1]:8080'), '[::1]');
    assert.equal(hostName('Example.COM'), 'example.com');
    assert.equal(hostName(''), undefined);
    assert.equal(hostName(undefined), undefined);
    assert.equal(hostName('bad host:x'), undefined);
  });

  it('a friendly origin is the request\'s own host (any case) or a loopback one', () => {
    assert.ok(friendlyOrigin('http://mock.test:8080', 'MOCK.test:8080'));
    assert.ok(friendlyOrigin('http://localhost:5173', 'mock.test:8080'));
    assert.ok(friendlyOrigin('http://127.0.0.1:3000', undefined));
    assert.ok(!friendlyOrigin('http://mock.test:9090', 'mock.test:8080'), 'another port is another origin');
    assert.ok(!friendlyOrigin('https://evil.example', 'mock.test:8080'));
    assert.ok(!friendlyOrigin('https://evil.example', undefined));
    assert.ok(!friendlyOrigin('null', 'mock.test:8080'), 'an opaque origin is nobody\'s');
  });

  it('bound to loopback, only loopback names and the bound name itself are answered (DNS rebinding)', () => {
    const loopback = { host: '127.0.0.1', origins: [] };
    assert.equal(codeOf(request('GET', { host: '127.0.0.1:4000' }), loopback), undefined);
    assert.equal(codeOf(request('GET', { host: 'localhost:4000' }), loopback), undefined);
    assert.equal(codeOf(request('GET', { host: 'rebound.evil.test:4000' }), loopback), 'MW_FORBIDDEN_HOST');
    assert.equal(codeOf(request('GET', {}), loopback), 'MW_FORBIDDEN_HOST', 'no Host at all');
    assert.match(guardAdminRequest(request('GET', {}), loopback)?.message ?? '', /^Host "" is not a name of this server/);
    assert.equal(codeOf(request('GET', { host: 'dev.localhost' }), { host: 'dev.localhost', origins: [] }), undefined);
    assert.equal(codeOf(request('GET', { host: 'DEV.localhost' }), { host: 'Dev.Localhost', origins: [] }), undefined);
    const refused = guardAdminRequest(request('GET', { host: 'rebound.evil.test' }), loopback);
    assert.match(refused?.message ?? '', /^Host "rebound\.evil\.test" is not a name of this server: bound to 127\.0\.0\.1/);
    // Bound to every interface or to a public address, any Host is answered: the name is the user's choice.
    assert.equal(codeOf(request('GET', { host: 'rebound.evil.test' }), { host: undefined, origins: [] }), undefined);
    assert.equal(codeOf(request('GET', { host: 'rebound.evil.test' }), { host: '0.0.0.0', origins: [] }), undefined);
  });

  it('a change from a foreign page is refused; reading is not changing; a listed origin list decides instead', () => {
    const open = { host: undefined, origins: [] };
    const evil = { host: 'mock.test', origin: 'https://evil.example', 'content-type': 'application/json', 'content-length': '2' };
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) assert.equal(codeOf(request(method, evil), open), 'MW_FORBIDDEN_ORIGIN', method);
    for (const method of ['GET', 'HEAD', 'OPTIONS']) assert.equal(codeOf(request(method, evil), open), undefined, method);
    assert.equal(codeOf(request('POST', { ...evil, origin: 'http://mock.test' }), open), undefined, 'its own page');
    assert.equal(codeOf(request('POST', { host: 'mock.test', 'content-type': 'application/json', 'content-length': '2' }), open), undefined, 'a script sends no Origin');
    assert.match(guardAdminRequest(request('POST', evil), open)?.message ?? '', /^Origin https:\/\/evil\.example may not change this server/);
    // With cors.origins set, the origin check is the CORS list's (made elsewhere), not this rule.
    assert.equal(codeOf(request('POST', evil), { host: undefined, origins: ['https://app.test'] }), undefined);
  });

  it('a body must be declared as JSON: a page cannot send one without a preflight', () => {
    const open = { host: undefined, origins: [] };
    const post = (headers: Record<string, string>) => codeOf(request('POST', { host: 'mock.test', ...headers }), open);
    for (const type of ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/merge-patch+json', 'application/vnd.api+json;v=1', 'application/json ; charset=utf-8']) {
      assert.equal(post({ 'content-type': type, 'content-length': '2' }), undefined, type);
    }
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', 'application/jsonp', 'text/json', 'xapplication/json']) {
      assert.equal(post({ 'content-type': type, 'content-length': '2' }), 'MW_UNSUPPORTED_MEDIA_TYPE', type);
    }
    assert.equal(post({ 'content-length': '2' }), 'MW_UNSUPPORTED_MEDIA_TYPE', 'no type at all');
    assert.equal(post({ 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }), 'MW_UNSUPPORTED_MEDIA_TYPE', 'a chunked body');
    assert.equal(post({ 'content-type': 'text/plain' }), undefined, 'no body: nothing to read');
    assert.equal(post({ 'content-type': 'text/plain', 'content-length': '0' }), undefined, 'an empty body');
    assert.match(guardAdminRequest(request('POST', { host: 'mock.test', 'content-type': 'text/plain', 'content-length': '2' }), open)?.message ?? '', /\(got text\/plain\)$/);
    assert.match(guardAdminRequest(request('POST', { host: 'mock.test', 'content-length': '2' }), open)?.message ?? '', /\(got none\)$/);
  });
});
