/**
 * Recorded HTTP exchanges as routes, read as configuration: one route where one template gives back every
 * recorded answer, a route per recorded request (before the general one) where it cannot, told apart by what
 * varied, and the JSON types of the answers kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { httpRecordingsToRoutes } from '../../src/recording/http-to-config.ts';

type Obj = Record<string, unknown>;

let t = 0;
function exchange(method: string, path: string, body: unknown, status: number, answer: unknown, query: Record<string, string> = {}): Obj {
  t += 1;
  return {
    kind: 'exchange',
    t,
    ms: 1,
    request: { method, path, query, headers: {}, body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body) },
    response: { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) },
  };
}

function convert(...exchanges: Obj[]): { routes: Obj[]; notes: string[] } {
  return httpRecordingsToRoutes([{ header: { kind: 'http', version: 1, startedAt: '' }, exchanges }] as never);
}

const respond = (route: Obj | undefined): { status: number; body: unknown } => (route?.['then'] as { respond: { status: number; body: unknown } }[])[0]?.respond as { status: number; body: unknown };

describe('recording to-config, HTTP', () => {
  it('one route where one template gives back every answer: ids echoed, times as {{now}}; a string id stays a string', () => {
    const { routes } = convert(
      exchange('GET', '/api/orders/o-1', undefined, 200, { id: 'o-1', at: '2026-11-27T00:00:00.000Z' }),
      exchange('GET', '/api/orders/o-2', undefined, 200, { id: 'o-2', at: '2026-11-27T00:00:05.000Z' }),
    );
    assert.deepEqual(routes.map((r) => r['path']), ['/api/orders/:orderId']);
    assert.deepEqual(respond(routes[0]).body, { id: '{{request.params.orderId}}', at: '{{now}}' });
  });

  it('a path parameter held as a number renders as a number, and takes digits only', () => {
    const { routes } = convert(
      exchange('GET', '/api/users/1', undefined, 200, { id: 1, role: 'admin' }),
      exchange('GET', '/api/users/2', undefined, 200, { id: 2, role: 'admin' }),
    );
    assert.deepEqual(routes.map((r) => [r['path'], respond(r).body]), [['/api/users/:userId(\\d+)', { id: '{{add request.params.userId 0}}', role: 'admin' }]]);
  });

  it('requests told apart by query values get their own routes, the most conditions first; one with none is the general route', () => {
    const { routes } = convert(
      exchange('GET', '/search', undefined, 200, { hits: ['a'] }, { q: 'a' }),
      exchange('GET', '/search', undefined, 200, { hits: ['b', 'c'] }, { q: 'a', page: '2' }),
    );
    // `q` never varied: it says nothing. The request without `page` answers every other query, as the general route would.
    assert.deepEqual(routes.map((r) => [r['name'], r['when'], respond(r).body]), [
      ['GET /search?page=2', { query: { page: '2' } }, { hits: ['b', 'c'] }],
      ['GET /search', undefined, { hits: ['a'] }],
    ]);
  });

  it('a field the answers echo is set aside to tell requests apart, unless their answers still differ: then the whole body, keeping the outer conditions', () => {
    const { routes } = convert(
      exchange('POST', '/items/get', { id: 1, lang: 'en' }, 200, { id: 1, name: 'Ada' }),
      exchange('POST', '/items/get', { id: 2, lang: 'en' }, 200, { id: 2, name: 'Bob' }),
      exchange('POST', '/items/get', { id: 1, lang: 'fr' }, 200, { id: 1, name: 'Adà' }),
    );
    assert.deepEqual(routes.map((r) => [r['when'], (respond(r).body as Obj)['name']]), [
      [{ body: { json: { lang: 'en', id: 1 } } }, 'Ada'],
      [{ body: { json: { lang: 'en', id: 2 } } }, 'Bob'],
      [{ body: { json: { lang: 'fr' } } }, 'Adà'],
      [undefined, 'Adà'],
    ]);
  });

  it('requests that differ only in a body that is not a JSON object share one answer, and a note says so', () => {
    const { routes, notes } = convert(
      exchange('POST', '/form', 'name=ada', 200, { ok: 'ada' }),
      exchange('POST', '/form', 'name=bob', 200, { ok: 'bob' }),
    );
    assert.equal(routes.length, 1);
    assert.deepEqual(notes, ['POST /form: 2 calls differ only in a body that is not a JSON object, which a route cannot match by: they share one answer']);
  });

  it('the general answer has the status most calls got, whatever the order; a tie goes to the lower status', () => {
    const forwards = [exchange('GET', '/api/items/1', undefined, 404, { error: 'gone' }), exchange('GET', '/api/items/2', undefined, 200, { id: 2 })];
    for (const order of [forwards, [...forwards].reverse()]) {
      const { routes } = convert(...order);
      // One call with that status: nothing shows its id echoing the path, so the answer stays as recorded.
      assert.deepEqual(routes.map((r) => [r['path'], respond(r).status, respond(r).body]).sort(), [['/api/items/1', 404, { error: 'gone' }], ['/api/items/2', 200, { id: 2 }], ['/api/items/:itemId', 200, { id: 2 }]]);
    }
  });
});
