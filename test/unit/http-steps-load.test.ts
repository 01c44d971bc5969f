/**
 * The HTTP side's steps (src/http/steps.ts) as a configuration meets them: what each refuses at load and with
 * which words and path, how each reads in one line, and a sequence's callers told apart by a header or a
 * cookie, each route's positions its own. Steps are compiled and run against stand-in views: no server.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { MockwaveError } from '../../src/errors/catalog.ts';
import { httpRouteSchema } from '../../src/http/index.ts';
import { RequestView } from '../../src/http/request.ts';
import { answerRequest, compileSteps, HTTP_STEPS, httpStepSchemas } from '../../src/http/steps.ts';
import { explainSteps } from '../../src/steps/index.ts';
import { acceptedTarget } from '../../src/util/request-target.ts';
import { testHttpHost } from '../helpers/http-host.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function folder(): { dir: string; files: { dir: string; label: string; hideEnv: boolean } } {
  const dir = tempDir('steps-load');
  writeFileSync(join(dir, 'a.txt'), 'A');
  mkdirSync(join(dir, 'sub'));
  return { dir, files: { dir, label: "the configuration's folder", hideEnv: false } };
}

/** The configuration error compiling `then` at `where` throws. */
function loadError(then: unknown[], where: string): MockwaveError {
  const { files } = folder();
  try {
    compileSteps(httpRouteSchema.parse({ path: '/x', then }).then, files, where);
  } catch (error) {
    assert.ok(error instanceof MockwaveError);
    return error;
  }
  assert.fail('compiled without a problem');
}

/** The first problem the step schema gives for a list of steps. */
function schemaProblem(then: unknown[]): string {
  const result = httpStepSchemas.list.safeParse(then);
  assert.equal(result.success, false);
  const issue = result.error?.issues[0];
  return `${issue?.path.join('.')}: ${issue?.message}`;
}

describe('HTTP steps at load', () => {
  it('names a file that is a folder, missing, or under a file, with its path in the configuration', () => {
    const folderError = loadError([{ respond: { file: 'sub' } }], 'http.routes[2]');
    assert.equal(folderError.code, 'MW_CONFIG_INVALID');
    assert.match(folderError.message, /^http\.routes\[2\]\.then\[0\]\.respond\.file: sub is a folder, not a file \(looked for .*sub\)$/);
    assert.deepEqual(folderError.details, ['http.routes[2].then[0].respond.file: sub is a folder, not a file']);
    assert.match(loadError([{ respond: { file: 'gone.txt' } }], 'r').message, /^r\.then\[0\]\.respond\.file: gone\.txt does not exist/);
    assert.match(loadError([{ respond: { file: 'a.txt/b' } }], 'r').message, /: a\.txt\/b does not exist/, 'ENOTDIR reads as missing');
    assert.match(loadError([{ respond: { file: 'gone.txt' } }], '').message, /^then\[0\]\.respond\.file:/, 'no leading dot without a place');
  });

  it('names a missing file inside a sequence by its list and step', () => {
    const error = loadError([{ sequence: { steps: [[{ respond: { status: 200 } }], [{ respond: { file: 'gone.txt' } }]] } }], 'r');
    assert.match(error.message, /^r\.then\[0\]\.sequence\.steps\[1\]\[0\]\.respond\.file: gone\.txt does not exist/);
  });

  it("checks a respond's templates, a forward's URL, a sequence's per and then, and the order of steps", () => {
    assert.match(schemaProblem([{ respond: { body: '{{nope}}' } }]), /unknown helper or variable "nope"/);
    for (const url of ['ftp://x.test/', 'xhttp://x.test/', 'httpx://x.test/']) assert.match(schemaProblem([{ forward: url }]), /expected an http:\/\/ or https:\/\/ URL/, url);
    assert.equal(httpStepSchemas.list.safeParse([{ forward: 'https://x.test/api' }]).success, true);
    for (const per of ['xglobal', 'global-x', 'header:x_y', 'cookie:', 'cookie:a b']) assert.match(schemaProblem([{ sequence: { per, steps: [[{ respond: {} }]] } }]), /expected global, header:<name> or cookie:<name>/, per);
    for (const per of ['global', 'header:X-User', 'cookie:sid', 'cookie:a.b_c-d']) assert.equal(httpStepSchemas.list.safeParse([{ sequence: { per, steps: [[{ respond: {} }]] } }]).success, true, per);
    assert.match(schemaProblem([{ sequence: { then: 'again', steps: [[{ respond: {} }]] } }]), /repeat-last|loop/);
    assert.match(schemaProblem([{ respond: {} }, { delay: 1 }]), /the request is answered there/);
    assert.match(schemaProblem([{ delay: 1 }]), /the last step must answer/);
  });
});

describe('HTTP steps in one line', () => {
  const explain = (then: unknown[]) => explainSteps(HTTP_STEPS, httpStepSchemas.list.parse(then));

  it('a forward shows its origin and path only (no user, password or query), without a trailing slash', () => {
    assert.equal(explain([{ forward: 'https://user:secret@api.test:8443/v1/?key=secret' }]), 'forward to https://api.test:8443/v1');
  });

  it('a sequence shows each list numbered, whose calls it counts, and what comes after the last', () => {
    const lists = [[{ respond: { status: 201 } }], [{ respond: { status: 202 } }]];
    const global = explain([{ sequence: { steps: lists } }]);
    assert.match(global, /^sequence \(1: respond 201.*; 2: respond 202.*; then repeat-last\)$/);
    assert.match(explain([{ sequence: { per: 'header:x-user', then: 'loop', steps: lists } }]), /^sequence per header:x-user \(1: .*; 2: .*; then loop\)$/);
  });
});

describe('a sequence per caller', () => {
  /** Runs a route's steps for a request with these headers; the status its steps ended with. */
  function runner(then: unknown[], route: string, host = testHttpHost(folder().dir)) {
    const steps = compileSteps(httpRouteSchema.parse({ path: '/x', then }).then, folder().files, '');
    return {
      host,
      call: async (headers: Record<string, string>): Promise<number | undefined> => {
        const raw = { method: 'GET', url: '/x', headers } as unknown as IncomingMessage;
        const view = new RequestView(raw, acceptedTarget(raw), Buffer.alloc(0));
        const response = { destroyed: false, writeHead: () => response, setHeader: () => undefined, getHeader: () => undefined, hasHeader: () => false, end: () => response, headersSent: false } as unknown as ServerResponse;
        return answerRequest(steps, { view, response, context: { request: { method: 'GET', path: '/x', params: {}, query: {}, headers, cookies: view.cookies, body: '' } }, host, route, source: `route:${route}`, sent: undefined });
      },
    };
  }
  const lists = [[{ respond: { status: 201 } }], [{ respond: { status: 202 } }]];

  it('tells callers apart by a cookie, a missing one being one caller', async () => {
    const { call } = runner([{ sequence: { per: 'cookie:sid', steps: lists } }], 'r');
    assert.deepEqual([await call({ cookie: 'sid=a' }), await call({ cookie: 'sid=b' }), await call({ cookie: 'sid=a' }), await call({}), await call({})], [201, 201, 202, 201, 202]);
  });

  it("reads a header named in any case, and keeps each route's positions apart", async () => {
    const host = testHttpHost(folder().dir);
    const first = runner([{ sequence: { per: 'header:X-User', steps: lists } }], 'first', host);
    const second = runner([{ sequence: { per: 'header:X-User', steps: lists } }], 'second', host);
    assert.deepEqual([await first.call({ 'x-user': 'ann' }), await first.call({ 'x-user': 'ann' }), await second.call({ 'x-user': 'ann' }), await first.call({ 'x-user': 'bob' })], [201, 202, 201, 201]);
  });
});
