/**
 * Every configuration mistake is a named problem: from a file (with its line), a flag, an environment
 * variable, an AsyncAPI document, the admin API or a reload; never a stack or a validator's raw dump. The
 * CLI runs in-process (`main`) except where the process itself is the point (exit code, the Cerberus entry).
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.ts';
import { loadConfig } from '../../src/index.ts';
import { ROOT, runCli, runMockwave } from '../helpers/cli.ts';
import { startServer } from '../helpers/server.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const dir = tempDir('problems');

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function collector(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({ write: (chunk: Buffer, _encoding, done) => ((text += chunk.toString()), done()) });
  return { stream, text: () => text };
}

/**
 * The CLI in-process, as `mockwave <argv>` in `dir`. Every run here should give up before listening; one that
 * started after all is stopped at once as Ctrl-C would (main listens for the signal while it runs), so the
 * test fails on its exit code rather than hanging.
 */
async function run(argv: readonly string[], options: { env?: Record<string, string>; envScope?: 'all' | 'mockwave' } = {}): Promise<{ code: number; out: string; err: string }> {
  const out = collector();
  const err = collector();
  const stop = (): boolean => process.emit('SIGINT', 'SIGINT');
  const code = await main({ argv, env: options.env ?? {}, cwd: dir, stdout: out.stream, stderr: err.stream, envScope: options.envScope }, stop);
  return { code, out: out.text(), err: err.text() };
}

/** Neither a stack frame nor zod's own wording. */
function assertNamed(text: string): void {
  assert.doesNotMatch(text, /^\s+at /m, 'no stack');
  assert.doesNotMatch(text, /ZodError|"code":|Unrecognized key|unexpected error/, 'no raw validator dump');
}

const TYPO = `http:
  routes:
    - path: /x
      then:
        - respond: { body: ok, stauts: 200 }
    - path: /y
      then:
        - respond:
            status: nope
prot: 3000
`;

describe('configuration problems', () => {
  it('a typo inside respond: exit 2 with every problem of the file named, with its line (the CLI process)', async () => {
    write('typo.yaml', TYPO);
    const cli = runMockwave(['typo.yaml'], { cwd: dir });
    assert.equal((await cli.exited).code, 2);
    assert.equal(cli.output(), '');
    assert.equal(
      cli.errors(),
      'mockwave: Invalid configuration (3 problems):\n' +
        '  - typo.yaml:5: http.routes[0].then[0].respond: unknown key "stauts" (did you mean "status"?)\n' +
        '  - typo.yaml:9: http.routes[1].then[0].respond.status: expected a number, got the string "nope"\n' +
        '  - typo.yaml:10: (root): unknown key "prot" (did you mean "port"?)\n',
    );
  });

  it('a JSON file has lines too; a value from the environment names its variable instead', async () => {
    write('typo.json', '{\n  "http": { "routes": [\n    { "path": "/x",\n      "then": [ { "close": 1 }, { "respond": { "stauts": 200 } } ] }\n  ] }\n}\n');
    const result = await run(['typo.json'], { env: { PORT: 'soon' } });
    assert.equal(result.code, 2);
    assertNamed(result.err);
    assert.match(result.err, /^ {2}- typo\.json:4: http\.routes\[0\]\.then\[0\]: expected one step: respond, delay, publish, forward, setState, collection, disconnect, fault or sequence, got "close"$/m);
    assert.match(result.err, /^ {2}- typo\.json:4: http\.routes\[0\]\.then\[1\]\.respond: unknown key "stauts" \(did you mean "status"\?\)$/m);
    assert.match(result.err, /^ {2}- port: expected a number, got the string "soon" \(from PORT\)$/m);
  });

  it('unknown flags suggest the closest one', async () => {
    const typo = await run(['--prot', '3000']);
    assert.equal(typo.code, 2);
    assert.equal(typo.err, "mockwave: Unknown option '--prot' (did you mean --port?)\nRun mockwave --help for usage.\n");
    assert.match((await run(['--no-dashbord'])).err, /Unknown option '--no-dashbord' \(did you mean --no-dashboard\?\)/);
    assert.match((await run(['replay', '--sped', '2', 'x.jsonl'])).err, /Unknown option '--sped' \(did you mean --speed\?\)/);
    assert.match((await run(['--zzzz'])).err, /^mockwave: Unknown option '--zzzz'\n/, 'no suggestion when nothing is close');
  });

  it('a respond.file that does not exist is refused at start-up, not at the first request', async () => {
    write('files.yaml', 'port: 0\nhost: 127.0.0.1\nhttp:\n  routes:\n    - path: /ok\n      then: [{ respond: { body: ok } }]\n    - path: /doc\n      then: [{ respond: { file: missing.json } }]\n');
    const result = await run(['files.yaml']);
    assert.equal(result.code, 2);
    assert.equal(result.out, '', 'nothing listened');
    assert.match(result.err, /^mockwave: http\.routes\[1\]\.then\[0\]\.respond\.file: missing\.json does not exist \(looked for .*missing\.json\)\n$/);
  });

  it('the environment, with invalid JSON or the wrong shape, and a broken AsyncAPI document', async () => {
    const json = await run(['--print-config'], { env: { WEBSOCKET_MOCK_EVENTS: '[{"name":' } });
    assert.equal(json.code, 2);
    assert.match(json.err, /^ {2}- WEBSOCKET_MOCK_EVENTS: invalid JSON: /m);
    const shape = await run(['--print-config'], { env: { WEBSOCKET_MOCK_EVENTS: '[{"name":"t","data":1,"intervall":5}]' } });
    assert.equal(shape.code, 2);
    assert.match(shape.err, /^ {2}- endpoints\[0\]\.streams\[0\]: unknown key "intervall" \(did you mean "interval"\?\) \(from WEBSOCKET_MOCK_EVENTS\)$/m);
    write('broken.asyncapi.yaml', 'asyncapi: 3.0.0\ninfo: { title: t, version: "1" }\nchannels: 5\noperations: [1, 2]\n');
    const asyncapi = await run(['broken.asyncapi.yaml', '--print-config']);
    assert.equal(asyncapi.code, 2);
    assert.match(asyncapi.err, /^mockwave: .*broken\.asyncapi\.yaml: nothing to serve/);
    for (const result of [json, shape, asyncapi]) assertNamed(result.err);
  });
});

describe('a port already in use', () => {
  let occupier: Server;
  const taken = async (): Promise<string> => {
    occupier = createServer();
    occupier.listen(0, '127.0.0.1');
    await once(occupier, 'listening');
    after(() => occupier.close());
    return String((occupier.address() as { port: number }).port);
  };

  it('the CLI says how to choose another: --port or PORT', async () => {
    const port = await taken();
    const result = await run(['--port', port, '--host', '127.0.0.1', '--no-dashboard']);
    assert.equal(result.code, 1);
    assert.equal(result.err, `mockwave: Cannot listen on 127.0.0.1:${port}: the port is already in use\nChoose another port with --port <n> or PORT=<n> (in the environment or a .env file); --port 0 picks a free one.\n`);
  });

  it('the Cerberus entry point names MOCKWAVE_PORT, the variable it reads', async () => {
    const port = await taken();
    const cli = runCli(process.execPath, ['--import', import.meta.resolve('tsx'), `${ROOT}server/websocket-server.ts`, '--host', '127.0.0.1'], { cwd: dir, env: { MOCKWAVE_PORT: port } });
    assert.equal((await cli.exited).code, 1);
    assert.equal(cli.errors(), `mockwave: Cannot listen on 127.0.0.1:${port}: the port is already in use\nChoose another port with --port <n> or MOCKWAVE_PORT=<n> (in the environment or a .env file); --port 0 picks a free one.\n`);
  });
});

type Envelope = { error?: { code: string; message: string } };

async function post(url: string, body?: unknown): Promise<{ status: number; body: Envelope }> {
  const response = await fetch(url, { method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Envelope };
}

describe('the admin API', () => {
  it('a route with a typo or a missing file is refused with 400 and the named problem', async () => {
    // Run-time routes send files only from http.adminFilesDir: this folder, here.
    const { http } = await startServer({ http: { adminFilesDir: '.' } }, { baseDir: dir });
    const typo = await post(http('/admin/http/routes'), { path: '/y', then: [{ respond: { body: 'ok', stauts: 200 } }] });
    assert.deepEqual([typo.status, typo.body.error?.code, typo.body.error?.message], [400, 'MW_BAD_REQUEST', 'Invalid HTTP route: then[0].respond: unknown key "stauts" (did you mean "status"?)']);
    const missing = await post(http('/admin/http/routes'), { path: '/z', then: [{ delay: 1 }, { respond: { file: 'nope.json' } }] });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error?.code, 'MW_CONFIG_INVALID');
    assert.match(missing.body.error?.message ?? '', /^then\[1\]\.respond\.file: nope\.json does not exist/);
  });

  it('a reload of a file with a typo or a syntax error answers 400 and keeps the configuration in force', async () => {
    const file = write('live.yaml', 'http:\n  routes:\n    - path: /x\n      then: [{ respond: { body: v1 } }]\n');
    const load = () => ({ ...loadConfig({ cwd: dir, env: {}, configFile: file }).config, host: '127.0.0.1', port: 0, log: { level: 'silent' as const, format: 'text' as const, traffic: false } });
    const { http } = await startServer(load(), { reload: load, baseDir: dir });
    write('live.yaml', 'http:\n  routes:\n    - path: /x\n      then:\n        - respond: { body: v2, stauts: 200 }\n');
    const typo = await post(http('/admin/config/reload'));
    assert.deepEqual([typo.status, typo.body.error?.code], [400, 'MW_CONFIG_INVALID']);
    assert.equal(typo.body.error?.message, `Invalid configuration (1 problem):\n  - ${file}:5: http.routes[0].then[0].respond: unknown key "stauts" (did you mean "status"?)`);
    write('live.yaml', 'http:\n  routes: [\n');
    const syntax = await post(http('/admin/config/reload'));
    assert.deepEqual([syntax.status, syntax.body.error?.code], [400, 'MW_CONFIG_FILE_SYNTAX']);
    assertNamed(syntax.body.error?.message ?? '');
    assert.equal(await (await fetch(http('/x'))).text(), 'v1', 'the routes in force stayed');
  });
});
