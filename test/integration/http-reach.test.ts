/**
 * What an HTTP route can reach: files only inside their folder (links followed to their real path, at load
 * and at each request), routes added at run time held to `http.adminFilesDir` and `http.forwardAllow`, and
 * no forwarded path that could climb out of the API's prefix once decoded. Every request goes to loopback:
 * a refusal of another address is asserted on the admin call that adds the route, before anything is sent.
 */
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkConfig } from '../../src/config/validate.ts';
import { createMockServer } from '../../src/index.ts';
import { startServer } from '../helpers/server.ts';
import { httpUpstream } from '../helpers/upstream.ts';
import { tempDir } from '../helpers/temp-dir.ts';

type Refused = { error: { code: string; message: string } };

/** A configuration's folder with a file, a secret beside it, and a file outside it. */
function layout(): { dir: string; outside: string } {
  const dir = tempDir('reach');
  const outside = join(tempDir('outside'), 'secret.txt');
  writeFileSync(outside, 'OUTSIDE-SECRET');
  writeFileSync(join(dir, 'data.json'), '{"ok":true}');
  writeFileSync(join(dir, '.env'), 'API_KEY=ENV-SECRET');
  return { dir, outside };
}

/** GET with the target exactly as written (fetch would normalise it), over loopback. */
function rawGet(port: number, target: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: target, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('files a route may send', () => {
  it('a link to a file or folder outside the configuration\'s folder is a configuration error naming the route; a link inside works', async () => {
    const { dir, outside } = layout();
    symlinkSync(outside, join(dir, 'passwd'));
    symlinkSync(join(outside, '..'), join(dir, 'elsewhere'));
    symlinkSync('data.json', join(dir, 'alias.json'));
    const fails = (file: string): string => {
      try {
        createMockServer({ http: { routes: [{ name: 'leak', path: '/leak', then: [{ respond: { file } }] }] } }, { baseDir: dir });
      } catch (error) {
        assert.equal((error as { code?: string }).code, 'MW_CONFIG_INVALID');
        return (error as Error).message;
      }
      return 'no error';
    };
    assert.match(fails('passwd'), /http\.routes\[0\]\.then\[0\]\.respond\.file: passwd is a link to a file outside the configuration's folder/);
    assert.match(fails('elsewhere/secret.txt'), /http\.routes\[0\]\.then\[0\]\.respond\.file: elsewhere\/secret\.txt is a link to a file outside/);
    assert.match(fails('../outside/secret.txt'), /is outside the configuration's folder/);

    const { http } = await startServer({ http: { routes: [{ path: '/alias', then: [{ respond: { file: 'alias.json' } }] }] } }, { baseDir: dir });
    const answer = await fetch(http('/alias'));
    assert.deepEqual([answer.status, answer.headers.get('content-type'), await answer.json()], [200, 'application/json; charset=utf-8', { ok: true }]);
    const head = await fetch(http('/alias'), { method: 'HEAD' });
    assert.deepEqual([head.status, head.headers.get('content-type'), await head.text()], [200, 'application/json; charset=utf-8', '']);
  });

  it('a link retargeted outside the folder after load is refused at the request, not followed', async () => {
    const { dir, outside } = layout();
    const link = join(dir, 'current.json');
    symlinkSync('data.json', link);
    const { http, server } = await startServer({ http: { routes: [{ name: 'current', path: '/current', then: [{ respond: { file: 'current.json' } }] }] } }, { baseDir: dir });
    assert.equal(await (await fetch(http('/current'))).text(), '{"ok":true}');
    unlinkSync(link);
    symlinkSync(outside, link);
    const swapped = await fetch(http('/current'));
    const text = await swapped.text();
    assert.equal(swapped.status, 500);
    assert.equal((JSON.parse(text) as Refused).error.code, 'MW_HTTP_ROUTE_FAILED');
    assert.doesNotMatch(text, /OUTSIDE-SECRET/);
    assert.equal(server.stats().http.routes.find((r) => r.name === 'current')?.failures, 1);
  });
});

describe('routes added at run time', () => {
  const admin = (http: (path: string) => string) => (method: string, body: unknown, name?: string) =>
    fetch(http(name === undefined ? '/admin/http/routes' : `/admin/http/routes/${encodeURIComponent(name)}`), { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const refusal = async (response: Response): Promise<[number, string, string]> => {
    const body = (await response.json()) as Refused;
    return [response.status, body.error.code, body.error.message];
  };

  it('send no file while http.adminFilesDir is unset, and forward only to loopback and the configuration\'s own upstreams', async () => {
    const { dir } = layout();
    const api = await httpUpstream();
    const { http } = await startServer({ http: { routes: [{ name: 'data', path: '/data', then: [{ respond: { file: 'data.json' } }] }] } }, { baseDir: dir });
    const add = admin(http);
    const [status, code, message] = await refusal(await add('POST', { path: '/env', then: [{ respond: { file: '.env' } }] }));
    assert.deepEqual([status, code], [400, 'MW_HTTP_ROUTE_NOT_ALLOWED']);
    assert.match(message, /then\[0\]\.respond\.file: no file may be sent while http\.adminFilesDir is unset/);
    assert.equal((await add('POST', { path: '/data2', then: [{ respond: { file: 'data.json' } }] })).status, 400, 'the configuration\'s own files too');
    // Changing a configured route at run time makes it a run-time route.
    assert.equal((await add('PUT', { path: '/data', then: [{ respond: { file: '.env' } }] }, 'data')).status, 400);
    assert.equal(await (await fetch(http('/data'))).text(), '{"ok":true}', 'the refused change left the route as it was');

    for (const target of ['http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://metadata.google.internal/', 'https://10.0.0.1/', 'http://0xA9FEA9FE/']) {
      const [forwardStatus, forwardCode, forwardMessage] = await refusal(await add('POST', { name: 'meta', path: '/meta', then: [{ delay: 1 }, { forward: target }] }));
      assert.deepEqual([forwardStatus, forwardCode], [400, 'MW_HTTP_ROUTE_NOT_ALLOWED'], target);
      assert.match(forwardMessage, /then\[1\]\.forward: .* is not in http\.forwardAllow \(loopback names, the default\)/);
    }
    const nested = await refusal(await add('POST', { path: '/seq', then: [{ sequence: { steps: [[{ respond: { body: 1 } }], [{ forward: 'http://169.254.169.254/' }]] } }] }));
    assert.match(nested[2], /then\[0\]\.sequence\.steps\[1\]\[0\]\.forward: 169\.254\.169\.254 is not in http\.forwardAllow/);

    assert.equal((await add('POST', { name: 'local', path: '/local/*', then: [{ forward: `${api.url}/base` }] })).status, 201);
    assert.deepEqual(await (await fetch(http('/local/x?q=1'))).json(), { from: 'upstream', target: '/base/local/x?q=1' });
    assert.equal((await add('POST', { name: 'by-name', path: '/by-name', then: [{ forward: api.url.replace('127.0.0.1', 'localhost') }] })).status, 201);
  });

  it('http.forwardAllow replaces the default; the configuration\'s own upstreams are allowed by default', async () => {
    const own = await startServer({ http: { fallback: 'http://api.example.test/v1' }, proxy: { enabled: true, path: '/proxy', routes: [{ name: 'feed', url: 'wss://feed.example.test/ws' }] } });
    const add = admin(own.http);
    // Added, never called: nothing is sent to these hosts.
    assert.equal((await add('POST', { path: '/a', then: [{ forward: 'https://api.example.test/other' }] })).status, 201);
    assert.equal((await add('POST', { path: '/b', then: [{ forward: 'http://feed.example.test:8080' }] })).status, 201);
    assert.equal((await add('POST', { path: '/c', then: [{ forward: 'http://other.example.test' }] })).status, 400);

    const listed = await startServer({ http: { forwardAllow: ['API.example.test', '[::1]'] } });
    const addListed = admin(listed.http);
    assert.equal((await addListed('POST', { path: '/a', then: [{ forward: 'http://api.example.test' }] })).status, 201);
    assert.equal((await addListed('POST', { path: '/b', then: [{ forward: 'http://[::1]:9' }] })).status, 201);
    const [status, , message] = await refusal(await addListed('POST', { path: '/c', then: [{ forward: 'http://127.0.0.1:9' }] }));
    assert.equal(status, 400);
    assert.match(message, /127\.0\.0\.1 is not in http\.forwardAllow \(api\.example\.test, \[::1\]\)/);

    const checked = checkConfig({ http: { forwardAllow: ['http://x.test', 'x.test:80', 'x.test/path', 'u@x.test', ''] } });
    const problems = checked.ok ? [] : checked.problems;
    assert.equal(problems.length, 5, problems.join('\n'));
    for (const problem of problems) assert.match(problem, /^http\.forwardAllow\[\d\]: expected a host name or address without scheme, port or path/);
  });

  it('with http.adminFilesDir, send files from that folder only, never a .env file, links followed', async () => {
    const { dir, outside } = layout();
    const pub = join(dir, 'public');
    mkdirSync(pub);
    writeFileSync(join(pub, 'a.json'), '{"a":1}');
    writeFileSync(join(pub, '.env.local'), 'LOCAL-SECRET');
    symlinkSync(join(dir, '.env'), join(pub, 'config.txt'));
    symlinkSync(outside, join(pub, 'out.txt'));
    symlinkSync(join(dir, 'data.json'), join(pub, 'up.json'));
    const { http } = await startServer({ http: { adminFilesDir: 'public' } }, { baseDir: dir });
    const add = admin(http);
    assert.equal((await add('POST', { path: '/a', then: [{ respond: { file: 'a.json' } }] })).status, 201);
    assert.deepEqual(await (await fetch(http('/a'))).json(), { a: 1 });
    const cases: [string, RegExp][] = [
      ['.env.local', /\.env\.local is a \.env file, which is never sent from http\.adminFilesDir/],
      ['.ENV.local', /is a \.env file/],
      ['config.txt', /config\.txt is a link to a file outside http\.adminFilesDir/],
      ['out.txt', /out\.txt is a link to a file outside http\.adminFilesDir/],
      ['up.json', /up\.json is a link to a file outside http\.adminFilesDir/],
      ['../data.json', /\.\.\/data\.json is outside http\.adminFilesDir/],
      ['../.env', /is outside http\.adminFilesDir/],
    ];
    for (const [file, reason] of cases) {
      const [status, code, message] = await refusal(await add('POST', { path: '/f', then: [{ respond: { file } }] }));
      assert.deepEqual([status, code], [400, 'MW_HTTP_ROUTE_NOT_ALLOWED'], file);
      assert.match(message, reason);
    }
    // A link in the folder swapped to a .env file after the route was added is refused at the request.
    symlinkSync('a.json', join(pub, 'swap.json'));
    assert.equal((await add('POST', { path: '/swap', then: [{ respond: { file: 'swap.json' } }] })).status, 201);
    unlinkSync(join(pub, 'swap.json'));
    symlinkSync('.env.local', join(pub, 'swap.json'));
    const swapped = await fetch(http('/swap'));
    assert.equal(swapped.status, 500);
    assert.doesNotMatch(await swapped.text(), /LOCAL-SECRET/);
  });
});

describe('forwarded paths', () => {
  it('the fallback and a forward step refuse an encoded "/", "\\" or "." with 400, and the API never sees the request', async () => {
    const api = await httpUpstream();
    const { http, info, server } = await startServer({ http: { fallback: `${api.url}/real`, routes: [{ name: 'api', path: '/api/*', then: [{ forward: `${api.url}/v1` }] }] } });
    const targets = ['/..%2fsecret', '/api/..%2F..%2fadmin', '/%2e%2e%2fetc/passwd', '/api/a%5c..%5cb', '/api/x%2E%2E', '/static/%2e%2e/%2e%2e%2fx'];
    for (const target of targets) {
      const answer = await rawGet(info.port, target);
      assert.equal(answer.status, 400, target);
      assert.equal((JSON.parse(answer.body) as Refused).error.code, 'MW_INVALID_PATH', target);
    }
    assert.equal(api.seen.length, 0, 'the API saw none of them');
    assert.equal(server.stats().http.routes.find((r) => r.name === 'api')?.failures, 0, 'a refused path is not the route\'s failure');
    // Plain paths (dot segments resolved before anything is read) still go through.
    assert.deepEqual(await (await fetch(http('/api/orders/1'))).json(), { from: 'upstream', target: '/v1/api/orders/1' });
    assert.equal((await rawGet(info.port, '/x/../users/%41')).status, 200);
    assert.deepEqual(api.seen.map((s) => s.target), ['/v1/api/orders/1', '/real/users/%41']);
  });
});
