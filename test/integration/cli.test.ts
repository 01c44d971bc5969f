import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { ROOT, runMockwave } from '../helpers/cli.ts';
import { wsConnect } from '../helpers/ws-connect.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const LISTENING = /listening on http:\/\/[^:]+:(\d+)/;
const dir = tempDir('cli');

describe('mockwave CLI', () => {
  it('--help and --version', async () => {
    const help = runMockwave(['--help']);
    assert.equal((await help.exited).code, 0);
    assert.match(help.output(), /^Usage: mockwave \[config-file\] \[options\]/);
    assert.match(help.output(), /--log-format <fmt>/);
    const version = runMockwave(['--version']);
    assert.equal((await version.exited).code, 0);
    assert.match(version.output(), /^\d+\.\d+\.\d+\n$/);
  });

  it('the first screen says what mockwave is (--help, package.json, the README), and --help lists the HTTP routes and Server-Sent Events settings', async () => {
    const help = runMockwave(['--help']);
    assert.equal((await help.exited).code, 0);
    const text = help.output();
    const sides = [/WebSocket/, /HTTP routes/, /Server-Sent Events/, /proxy/, /record/, /AsyncAPI/, /one port/];
    const pitch = text.slice(text.indexOf('\n\n') + 2, text.indexOf('Options:'));
    const { description } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { description: string };
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const opening = readme.slice(readme.indexOf('\n\n') + 2, readme.indexOf('\n\n', readme.indexOf('\n\n') + 2));
    for (const [where, wrapped] of [['--help', pitch], ['package.json', description], ['README', opening]] as const) {
      const words = wrapped.replace(/\s+/g, ' ');
      for (const side of sides) assert.match(words, side, `${where} names ${side.source}`);
      assert.doesNotMatch(words, /a WebSocket server/, `${where} is more than a WebSocket server`);
    }
    // Each setting --help names is one docs/configuration.md documents.
    const configuration = readFileSync(join(ROOT, 'docs/configuration.md'), 'utf8');
    const keys = [...new Set(text.match(/\b(?:http|sse|cors)\.[A-Za-z]+/g) ?? [])];
    assert.ok(['http.routes', 'http.fallback', 'sse.retry', 'sse.history', 'cors.credentials'].every((key) => keys.includes(key)), keys.join(' '));
    assert.match(text, /protocol: sse/);
    for (const key of keys) assert.ok(configuration.includes(`\`${key}`), `${key} is in docs/configuration.md`);
    assert.match(text, /docs\/configuration\.md/);
  });

  it('serves the demo, logs connections, and stops on SIGTERM with close 1001 and exit 0', async () => {
    const cli = runMockwave(['--port', '0', '--host', '127.0.0.1'], { cwd: dir });
    const port = Number((await cli.waitFor(LISTENING))[1]);
    assert.match(cli.output(), /ticker\s+every 2000 ms/);
    assert.match(cli.output(), /notifications\s+every 5000 ms/);
    const client = await wsConnect(`ws://127.0.0.1:${port}/ws`);
    const hello = await client.nextOfType<{ clientId: string }>('connected');
    await cli.waitFor(new RegExp(`Client connected: ${hello.clientId} \\(Total: 1\\)`));
    client.send({ type: 'subscribe', event: 'ticker' });
    const snapshot = await client.nextOfType<{ data: { price: number; symbol: string } }>('event');
    await cli.waitFor(new RegExp(`Client ${hello.clientId} subscribed to ticker`));
    assert.equal(typeof snapshot.data.price, 'number');
    client.send('not json');
    await cli.waitFor(/WARN Client client-\S+: Invalid JSON/);
    cli.child.kill('SIGTERM');
    assert.deepEqual(await client.closed(), { code: 1001, reason: 'Server shutting down' });
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
    assert.match(cli.output(), /Received SIGTERM, shutting down/);
    assert.match(cli.output(), /Stopped\n$/);
  });

  it('SIGINT (Ctrl-C) stops it the same way', async () => {
    const cli = runMockwave(['-p', '0', '-H', '127.0.0.1', '--log-level', 'warn'], { cwd: dir });
    await cli.waitFor(LISTENING);
    cli.child.kill('SIGINT');
    assert.deepEqual(await cli.exited, { code: 0, signal: null });
  });

  it('takes the guide variables from the environment and from .env.local', async () => {
    const cwd = tempDir('cli-env');
    writeFileSync(join(cwd, '.env.local'), 'WEBSOCKET_PATH=/live\nWEBSOCKET_MOCK_EVENTS=[{"name":"ticker","interval":2000,"data":{"price":100}}]\n');
    const cli = runMockwave([], { cwd, env: { PORT: '0', HOST: '127.0.0.1', WEBSOCKET_HEARTBEAT_INTERVAL: '5000' } });
    const port = Number((await cli.waitFor(LISTENING))[1]);
    assert.match(cli.output(), /configuration: .*\.env\.local/);
    const client = await wsConnect(`ws://127.0.0.1:${port}/live`);
    await client.nextOfType('connected');
    client.send({ type: 'request', event: 'ticker' });
    assert.deepEqual((await client.nextOfType<{ data: unknown }>('response')).data, { price: 100 });
    cli.child.kill('SIGTERM');
    await cli.exited;
  });

  it('the banner says what is off and what the proxy forwards (secrets masked); an unread .env.<mode> file is named', async () => {
    const cwd = tempDir('cli-banner');
    writeFileSync(join(cwd, '.env.production'), 'PORT=3000\n');
    writeFileSync(join(cwd, '.env.example'), 'PORT=\n');
    const cli = runMockwave(['-p', '0', '-H', '127.0.0.1'], {
      cwd,
      env: { WEBSOCKET_ENABLED: 'false', WEBSOCKET_PROXY_ENABLED: 'true', WEBSOCKET_PROXY_ROUTES: 'feed:wss://upstream.example/v1?apikey=s3cret' },
    });
    const port = Number((await cli.waitFor(LISTENING))[1]);
    await cli.waitFor(/Press Ctrl-C to stop/);
    const out = cli.output();
    assert.match(out, /WebSocket: off \(websocket\.enabled \/ WEBSOCKET_ENABLED is false\)/);
    assert.doesNotMatch(out, new RegExp(`ws://127\\.0\\.0\\.1:${port}/ws  \\(`), 'no endpoint address is advertised');
    assert.match(out, new RegExp(`ws://127\\.0\\.0\\.1:${port}/ws/proxy/feed -> wss://upstream\\.example/v1\\?apikey=\\*\\*\\*`));
    assert.doesNotMatch(out, /s3cret/);
    assert.match(out, /\.env\.production was not read: it is read when NODE_ENV=production \(NODE_ENV is unset/);
    assert.doesNotMatch(out, /\.env\.example/);
    cli.child.kill('SIGTERM');
    await cli.exited;
  });

  it('stops by itself when its parent process goes away (npx or npm killed without passing the signal on)', async () => {
    // A parent that starts mockwave, waits until it listens, then exits without stopping it.
    const parent = `const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, [${JSON.stringify(join(ROOT, 'dist/mockwave.js'))}, '-p', '0', '-H', '127.0.0.1', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'inherit'] });
      process.stdout.write('pid ' + child.pid + '\\n');
      child.stdout.on('data', (d) => { process.stdout.write(d); if (String(d).includes('Press Ctrl-C')) process.exit(0); });`;
    const wrapper = spawn(process.execPath, ['-e', parent], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    wrapper.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await once(wrapper, 'exit');
    const orphan = Number(/pid (\d+)/.exec(out)?.[1]);
    // Whatever happens below, no server is left running after this test.
    after(() => {
      try {
        process.kill(orphan, 'SIGKILL');
      } catch {
        // already gone
      }
    });
    assert.match(out, LISTENING);
    // The orphan's own output no longer reaches us (its pipe went with the parent): its port tells whether it stopped.
    const port = Number(LISTENING.exec(out)?.[1]);
    const deadline = Date.now() + 5000;
    let stopped = false;
    while (!stopped && Date.now() < deadline) {
      stopped = await fetch(`http://127.0.0.1:${port}/admin/websocket/stats`).then(() => false, () => true);
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(stopped, 'the orphaned server still answers 5 s after its parent exited');
  });

  it('loads a YAML file given as an argument, and --log-format json writes one JSON object per line', async () => {
    const file = join(dir, 'mock.yaml');
    writeFileSync(file, 'endpoints:\n  - path: /feed\n    streams:\n      - name: prices\n        interval: 1000\n        data: { price: 1 }\n');
    const cli = runMockwave([file, '-p', '0', '-H', '127.0.0.1', '--log-format', 'json'], { cwd: dir });
    const port = Number((await cli.waitFor(LISTENING))[1]);
    const client = await wsConnect(`ws://127.0.0.1:${port}/feed`);
    await client.nextOfType('connected');
    const line = (await cli.waitFor(/^\{.*"Client connected.*\}$/m))[0];
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry['level'], 'info');
    assert.equal(entry['endpoint'], '/feed');
    cli.child.kill('SIGTERM');
    await cli.exited;
  });

  it('exits 2 before listening on a bad configuration, listing every problem', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'port: 70000\nendpoints:\n  - path: /x\n    streams:\n      - name: a\n        interval: -1\n');
    const cli = runMockwave(['--config', file], { cwd: dir, env: { WEBSOCKET_HEARTBEAT_INTERVAL: 'soon' } });
    assert.equal((await cli.exited).code, 2);
    assert.equal(cli.output(), '');
    const err = cli.errors();
    assert.match(err, /Invalid configuration \(4 problems\)/);
    assert.match(err, /port: expected a number <= 65535/);
    assert.match(err, /endpoints\[0\]\.streams\[0\]\.interval: expected a number >= 0/);
    assert.match(err, /endpoints\[0\]\.streams\[0\]\.data: is required/);
    assert.match(err, /websocket\.heartbeatInterval: expected a number, got the string "soon" \(from WEBSOCKET_HEARTBEAT_INTERVAL\)/);
  });

  it('exits 2 on an unknown flag and 1 when the port is taken', async () => {
    const bad = runMockwave(['--prot', '1']);
    assert.equal((await bad.exited).code, 2);
    assert.match(bad.errors(), /Unknown option '--prot'/);
    const first = runMockwave(['-p', '0', '-H', '127.0.0.1'], { cwd: dir });
    const port = (await first.waitFor(LISTENING))[1] ?? '';
    const second = runMockwave(['-p', port, '-H', '127.0.0.1'], { cwd: dir });
    assert.equal((await second.exited).code, 1);
    assert.match(second.errors(), /Cannot listen on 127\.0\.0\.1:\d+: the port is already in use/);
    first.child.kill('SIGTERM');
    await first.exited;
  });

  it('--print-config shows the resolved configuration', async () => {
    const cli = runMockwave(['--print-config', '--port', '4321'], { cwd: dir });
    assert.equal((await cli.exited).code, 0);
    const config = JSON.parse(cli.output()) as { port: number; endpoints: { path: string }[] };
    assert.equal(config.port, 4321);
    assert.equal(config.endpoints[0]?.path, '/ws');
  });

  it('the journal: off by default, on with --journal or MOCKWAVE_JOURNAL=true', async () => {
    const journalOf = async (args: string[], env: Record<string, string> = {}): Promise<boolean> => {
      const cli = runMockwave(['--print-config', ...args], { cwd: dir, env });
      assert.equal((await cli.exited).code, 0, cli.errors());
      return (JSON.parse(cli.output()) as { journal: { enabled: boolean } }).journal.enabled;
    };
    assert.deepEqual(await Promise.all([journalOf([]), journalOf(['--journal']), journalOf([], { MOCKWAVE_JOURNAL: 'true' })]), [false, true, true]);
  });
});
