/**
 * The client examples of the Mock API Server guide, read from ../shared/seeds at run time and run as
 * written against a real server: only the URL is changed. Each example's own output is the assertion.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, runCli, type RunningCli } from '../helpers/cli.ts';
import { startDemoServer } from '../helpers/server.ts';
import { needsPython, PYTHON } from '../helpers/system-clients.ts';
import { tempDir } from '../helpers/temp-dir.ts';

const GUIDE = join(ROOT, '..', 'shared', 'seeds', 'websocket-guide.md');
const dir = tempDir('examples');

/** The first fenced block of `lang` after `heading` in the guide. */
function example(heading: string, lang: string): string {
  const text = readFileSync(GUIDE, 'utf8');
  const start = text.indexOf(heading);
  assert.ok(start >= 0, `heading ${heading} not found in the guide`);
  const open = text.indexOf('```' + lang, start);
  const body = text.indexOf('\n', open) + 1;
  return text.slice(body, text.indexOf('```', body));
}



async function stopped(cli: RunningCli): Promise<void> {
  cli.child.kill('SIGTERM');
  await cli.exited;
}

const skipWithoutGuide = existsSync(GUIDE) ? false : 'the guide is not at ../shared/seeds (clone beside shared/ to run these)';

describe('the guide client examples, unmodified', { skip: skipWithoutGuide }, () => {
  it('Node.js example (ws)', async () => {
    const url = await startDemoServer();
    const file = join(dir, 'node-example.cjs');
    writeFileSync(file, example('### Node.js Example', 'javascript').replace('ws://localhost:3000/ws', url));
    const cli = runCli(process.execPath, [file], { env: { NODE_PATH: join(ROOT, 'node_modules') } });
    await cli.waitFor(/Connected to WebSocket server/);
    await cli.waitFor(/Notification: \{[\s\S]*message:/);
    await stopped(cli);
  });

  it('browser example (WHATWG WebSocket, as in a browser)', async () => {
    const url = await startDemoServer();
    // The guide shows connecting and subscribing as two snippets; a page sends once the socket is open.
    const connect = example('### Connecting to Mock WebSocket', 'javascript').replace("'ws://localhost:3000/ws'", `'${url}'`);
    const subscribe = example('### Subscribing to Events', 'javascript');
    const file = join(dir, 'browser-example.mjs');
    writeFileSync(file, `${connect}\nws.addEventListener('open', () => {\n${subscribe}\n});\n`);
    const flags = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined' ? ['--experimental-websocket'] : [];
    const cli = runCli(process.execPath, [...flags, file]);
    await cli.waitFor(/Connected to mock WebSocket server/);
    await cli.waitFor(/Received: \{[\s\S]*type: 'subscribed'/);
    await cli.waitFor(/Received: \{[\s\S]*type: 'event'[\s\S]*name: 'ticker'/);
    await stopped(cli);
  });

  it('Python example (websocket-client)', { skip: needsPython('websocket', 'python3-websocket') }, async () => {
    const url = await startDemoServer();
    const file = join(dir, 'example.py');
    writeFileSync(file, example('### Python Example', 'python').replace('ws://localhost:3000/ws', url));
    const cli = runCli(PYTHON, ['-u', file]);
    await cli.waitFor(/^Connected$/m);
    await cli.waitFor(/Received: \{'type': 'subscribed', 'event': 'ticker'/);
    await cli.waitFor(/Received: \{'type': 'event', 'name': 'ticker', 'data': \{'symbol': 'MOCK', 'price': [\d.]+/);
    await stopped(cli);
  });
});
