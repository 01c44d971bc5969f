/**
 * What each HTTP row asks of a server: the request wrk makes (bench/lib/wrk.ts) and the mockwave route that
 * answers it. bench/peers/bare-http.mjs answers the same requests by hand, with the same fixed answers (the
 * first request of every row checks that they are equal).
 */
import type { HttpRequestSpec } from './wrk.ts';

export type HttpMode = 'route' | 'static' | 'post' | 'post-when';

/** The fixed answers (bare-http.mjs writes the same). */
export const STATIC_BODY = { service: 'orders', status: 'ok', version: '1.4.2', region: 'eu-west-1', features: ['orders', 'fills', 'quotes'] };
export const ACCEPTED = { accepted: true, queue: 'orders' };

// An order of about 200 bytes, as a front end would post one.
const ORDER_BODY = JSON.stringify({
  type: 'order',
  symbol: 'AAPL',
  side: 'buy',
  qty: 5,
  limit: 101.25,
  account: 'ACC-000123',
  client: 'web-checkout',
  tif: 'day',
  tags: ['limit', 'web', 'bench'],
  note: 'a two-hundred-byte order for the POST rows',
});

export const HTTP_REQUESTS: Readonly<Record<HttpMode, HttpRequestSpec>> = {
  route: { method: 'GET', path: '/api/orders/42' },
  static: { method: 'GET', path: '/api/status' },
  post: { method: 'POST', path: '/api/orders', body: ORDER_BODY, headers: { 'Content-Type': 'application/json' } },
  'post-when': { method: 'POST', path: '/api/orders', body: ORDER_BODY, headers: { 'Content-Type': 'application/json' } },
};

/** mockwave's route for each mode. */
export function mockwaveRoute(mode: HttpMode): Record<string, unknown> {
  switch (mode) {
    case 'route':
      return { method: 'GET', path: '/api/orders/:id', then: [{ respond: { body: { id: '{{request.params.id}}', status: "{{pick 'open' 'filled'}}", qty: '{{int 1 10}}', at: '{{now}}' } } }] };
    case 'static':
      return { method: 'GET', path: '/api/status', then: [{ respond: { body: STATIC_BODY } }] };
    case 'post':
      return { method: 'POST', path: '/api/orders', then: [{ respond: { body: ACCEPTED } }] };
    case 'post-when':
      // A header matched by a regular expression and the body by partial JSON (src/http/schema.ts).
      return { method: 'POST', path: '/api/orders', when: { headers: { 'content-type': 'json' }, body: { type: 'order' } }, then: [{ respond: { body: ACCEPTED } }] };
  }
}
