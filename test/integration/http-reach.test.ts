/**
 * What an HTTP route can reach: files only inside their folder (links followed to their real path, at load
 * and at each request), routes added at run time held to `http.adminFilesDir` and `http.forwardAllow`, and
 * no forwarded path that could climb out of the API's prefix once decoded. Every request goes to loopback:
 * a refusal of another address is asserted on the admin call that adds the route, before anything is sent.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { startServer } from '../helpers/server.ts';
import { httpUpstream } from '../helpers/upstream.ts';

type Refused = { error: { code: string; message: string } };

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
