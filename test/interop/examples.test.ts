/**
 * Real clients written by others, unmodified, against a real server: the examples in examples/websocket/
 * with `ws`, Python's websocket-client and websockets, and Node's own WebSocket (undici). Each example's
 * own output and exit status are the assertion. The Python ones need Debian's python3-websocket and
 * python3-websockets (`.ci/run` installs them; locally they are skipped when missing, never in CI).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { ROOT, runCli, type RunningCli } from '../helpers/cli.ts';
import { loadConfig } from '../../src/index.ts';
import { startDemoServer, startServer } from '../helpers/server.ts';
import { needsPython, PYTHON } from '../helpers/system-clients.ts';

const EXAMPLES = `${ROOT}examples/websocket/`;



async function succeeds(cli: RunningCli): Promise<string> {
  const { code } = await cli.exited;
  assert.equal(code, 0, `exit ${code}\nstdout:\n${cli.output()}\nstderr:\n${cli.errors()}`);
  return cli.output();
}

describe('real clients, unmodified', () => {
  it('Node.js with ws (examples/websocket/node-client.mjs)', async () => {
    const out = await succeeds(runCli(process.execPath, [`${EXAMPLES}node-client.mjs`, await startDemoServer(), '5'], { env: { NODE_PATH: `${ROOT}node_modules` } }));
    assert.match(out, /^connected as client-/m);
    assert.match(out, /^response notifications: \{/m);
    assert.match(out, /^pong$/m);
    assert.equal(out.match(/^event ticker: \{"symbol":"MOCK","price":[\d.]+/gm)?.length, 5);
    assert.match(out, /^closed 1000$/m);
  });

  it('a client with backoff survives a flaky connection (examples/websocket/reconnecting-client.mjs, flaky.yaml)', async () => {
    const { ws } = await startServer({ ...loadConfig({ cwd: ROOT, env: {}, configFile: `${EXAMPLES}flaky.yaml` }).config, host: '127.0.0.1', port: 0, log: { level: 'silent', format: 'text', traffic: false } });
    // A connection never lasts 2 s here, so each reconnect waits up to twice as long as the one before (base 20 ms, at most 160).
    const out = await succeeds(runCli(process.execPath, [`${EXAMPLES}reconnecting-client.mjs`, ws('/ws'), '20'], { env: { NODE_PATH: `${ROOT}node_modules`, BACKOFF_BASE_MS: '20', BACKOFF_MAX_MS: '160' } }));
    const connections = Number(/^done after (\d+) connection\(s\)$/m.exec(out)?.[1]);
    assert.ok(connections >= 3, `${connections} connections:\n${out}`);
    assert.equal(out.match(/^subscribed ticker$/gm)?.length, connections, 'subscribed again on every connection');
    assert.equal(out.match(/^event \d+: /gm)?.length, 20);
    assert.match(out, /^closed 1012; reconnect 1 in \d+ ms \(at most 20\)$/m);
    const ceilings = [...out.matchAll(/reconnect (\d+) in (\d+) ms \(at most (\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
    for (const [attempt, delay, ceiling] of ceilings) {
      assert.equal(ceiling, Math.min(160, 20 * 2 ** ((attempt as number) - 1)), `attempt ${attempt}`);
      assert.ok((delay as number) < (ceiling as number));
    }
  });

  it('Python with websocket-client (examples/websocket/python-client.py)', { skip: needsPython('websocket', 'python3-websocket') }, async () => {
    const out = await succeeds(runCli(PYTHON, ['-u', `${EXAMPLES}python-client.py`, await startDemoServer(), '5']));
    assert.match(out, /^connected$/m);
    assert.match(out, /^subscribed$/m);
    assert.equal(out.match(/^event ticker: \{"symbol": "MOCK", "price": [\d.]+/gm)?.length, 5);
  });

  it('Python asyncio with websockets (examples/websocket/python-websockets-client.py)', { skip: needsPython('websockets', 'python3-websockets') }, async () => {
    const out = await succeeds(runCli(PYTHON, ['-u', `${EXAMPLES}python-websockets-client.py`, await startDemoServer(), '5']));
    assert.match(out, /^response$/m);
    assert.match(out, /^pong$/m);
    assert.equal(out.match(/^event ticker: /gm)?.length, 5);
  });

  it("Node's own WebSocket (undici) speaking the cerberus protocol (examples/websocket/cerberus-client.mjs)", async () => {
    const { ws } = await startServer({
      preset: 'cerberus',
      // Every event an alert: the client subscribes to `alerts`, and with the preset's weights (one event in
      // five is high or critical) 60 messages held none about one run in five.
      streamOverrides: { events: { interval: 50, options: { severityWeights: { low: 0, medium: 0, high: 1, critical: 1 } } }, metrics: { interval: 100 }, status: { interval: 1000 } },
    });
    const flags = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined' ? ['--experimental-websocket', '--no-warnings'] : [];
    // Until it subscribes, a cerberus client receives everything (about 100 messages a second here), so the
    // pong comes after however many ticks passed before the server read the heartbeat: on a loaded machine
    // 60 messages were once not enough. 200 give it two seconds.
    const out = await succeeds(runCli(process.execPath, [...flags, `${EXAMPLES}cerberus-client.mjs`, ws('/'), '200']));
    assert.match(out, /^pong for client-/m);
    assert.match(out, /^metric \w+ = [\d.]+/m);
    assert.match(out, /^event (high|critical) [\w.]+: \S/m);
    assert.match(out, /^closed 1000$/m);
  });

  it('a client through the proxy to a real upstream (examples/websocket/proxy-client.mjs)', async () => {
    const upstream = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    after(() => upstream.close());
    await new Promise((resolve) => upstream.once('listening', resolve));
    upstream.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(isBinary ? data : `echo: ${String(data)}`)));
    const { ws } = await startServer({
      endpoints: [{ path: '/ws', dialect: 'guide' }],
      proxy: { enabled: true, routes: [{ name: 'echo', url: `ws://127.0.0.1:${(upstream.address() as { port: number }).port}` }] },
    });
    const out = await succeeds(runCli(process.execPath, [`${EXAMPLES}proxy-client.mjs`, ws('/ws/proxy/echo')], { env: { NODE_PATH: `${ROOT}node_modules` } }));
    assert.match(out, /^proxy connected: echo$/m);
    assert.deepEqual(out.match(/^upstream says: .*$/gm), ['upstream says: echo: hello', 'upstream says: echo: {"type":"order","qty":1}', 'upstream says: echo: bye']);
    assert.match(out, /^closed 1000$/m);
  });
});
