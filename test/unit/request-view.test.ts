/**
 * The request as routes see it (src/http/request.ts), over stand-in requests: cookies parsed as browsers send
 * them (the first of a name wins, a part without a name or `=` skipped, values trimmed), a repeated query
 * parameter, and the depth check of a JSON body whatever white space comes before it.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { MockwaveError } from '../../src/errors/catalog.ts';
import { RequestView } from '../../src/http/request.ts';
import { acceptedTarget } from '../../src/util/request-target.ts';

function view(headers: Record<string, string>, body = '', url = '/x'): RequestView {
  const raw = { method: 'POST', url, headers } as unknown as IncomingMessage;
  return new RequestView(raw, acceptedTarget(raw), Buffer.from(body));
}

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const refused = (v: RequestView) => assert.throws(() => v.checkDepth(), (error: unknown) => error instanceof MockwaveError && error.code === 'MW_HTTP_BAD_REQUEST');

describe('the request view', () => {
  it('reads cookies as browsers send them', () => {
    const cookies = view({ cookie: 'a=1; =x; flag; b = 2 ; a=3; __proto__=p; d=e=f' }).cookies;
    assert.deepEqual({ ...cookies }, Object.fromEntries([['a', '1'], ['b', '2'], ['__proto__', 'p'], ['d', 'e=f']]));
    assert.equal(Object.hasOwn(cookies, '__proto__'), true);
    assert.deepEqual({ ...view({ cookie: ' =x' }).cookies }, {}, 'a part whose name is only white space');
  });

  it('keeps the first of a repeated query parameter', () => {
    assert.deepEqual({ ...view({}, '', '/x?a=1&a=2&b=3').query }, { a: '1', b: '3' });
  });

  it('a body is never binary', () => {
    assert.equal(view({}, 'hello').body.isBinary, false);
  });

  it('refuses a JSON body nested deeper than 100 levels, whatever white space comes first', () => {
    for (const space of ['', ' ', '\n', '\r', '\t', ' \r\n\t']) {
      refused(view({}, `${space}${nested(101)}`));
      view({}, `${space}${nested(100)}`).checkDepth();
    }
    const objects = `${'{"a":'.repeat(101)}1${'}'.repeat(101)}`;
    refused(view({}, objects));
  });

  it('does not refuse text that only holds brackets', () => {
    view({}, `x${nested(200)}`).checkDepth();
    view({}, JSON.stringify('['.repeat(200))).checkDepth();
  });
});
