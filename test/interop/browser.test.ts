/**
 * The browser: the guide's React example (read from ../shared/seeds at run time, only the URL changed) and
 * our own examples/websocket/react-client.jsx, bundled with esbuild and React, run in Debian's Chromium
 * driven by playwright-core. Never a downloaded browser. Screenshots go to test-results/ for a reviewer.
 * Locally the suite is skipped when /usr/bin/chromium is missing (apt-get install chromium); in CI never.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { ROOT } from '../helpers/cli.ts';
import { launchChromium, needsChromium, RESULTS } from '../helpers/system-clients.ts';
import { startServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { loadConfig } from '../../src/index.ts';

const GUIDE = join(ROOT, '..', 'shared', 'seeds', 'websocket-guide.md');


/** The guide's React example as written; a page needs it exported and mounted, nothing else changes. */
function guideReactExample(url: string): string {
  const text = readFileSync(GUIDE, 'utf8');
  const start = text.indexOf('```jsx', text.indexOf('### React Example'));
  const body = text.slice(text.indexOf('\n', start) + 1, text.indexOf('```', start + 6));
  return `${body.replace('ws://localhost:3000/ws', url)}\nexport default WebSocketComponent;\n`;
}

/** A page: the component bundled with React (production build), mounted into #root. */
async function page(component: string, props: Record<string, unknown>): Promise<string> {
  const result = await build({
    stdin: {
      contents: `import { createRoot } from 'react-dom/client';\nimport { createElement } from 'react';\nimport App from './component.jsx';\ncreateRoot(document.getElementById('root')).render(createElement(App, ${JSON.stringify(props)}));\n`,
      resolveDir: ROOT,
      loader: 'jsx',
    },
    plugins: [
      {
        name: 'component',
        setup(b) {
          b.onResolve({ filter: /^\.\/component\.jsx$/ }, () => ({ path: 'component.jsx', namespace: 'component' }));
          b.onLoad({ filter: /.*/, namespace: 'component' }, () => ({ contents: component, loader: 'jsx', resolveDir: ROOT }));
        },
      },
    ],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const script = result.outputFiles[0]?.text ?? '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>mockwave interop</title></head><body><div id="root"></div><script>${script}</script></body></html>`;
}

let browser: Browser;
let web: Server;
let webPort = 0;
const pages = new Map<string, string>();

describe('the browser (Chromium)', { skip: needsChromium }, () => {
  before(async () => {
    browser = await launchChromium();
    web = createServer((req, res) => {
      const html = pages.get(new URL(req.url ?? '/', 'http://localhost').pathname);
      res.writeHead(html === undefined ? 404 : 200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html ?? 'not found');
    });
    await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
    webPort = (web.address() as { port: number }).port;
  });
  after(async () => {
    await browser?.close();
    web?.close();
  });

  const demo = async (): Promise<string> => {
    const { ws } = await startServer({
      endpoints: [{ path: '/ws', dialect: 'guide', streams: [{ name: 'ticker', interval: 50, generator: 'ticker' }, { name: 'notifications', interval: 100, generator: 'notification' }] }],
    });
    return ws('/ws');
  };

  it("the guide's React example, as written: ticker events render in the page", { skip: existsSync(GUIDE) ? false : 'the guide is not at ../shared/seeds' }, async () => {
    pages.set('/guide', await page(guideReactExample(await demo()), {}));
    const tab = await browser.newPage();
    const logs: string[] = [];
    tab.on('console', (message) => logs.push(message.text()));
    await tab.goto(`http://127.0.0.1:${webPort}/guide`);
    await tab.getByText(/^ticker: \{"symbol":"MOCK","price":[\d.]+/).nth(4).waitFor({ timeout: 10_000 });
    assert.ok(logs.includes('Connected'), `console: ${logs.join(' | ')}`);
    await tab.screenshot({ path: join(RESULTS, 'interop-guide-react-example.png') });
    await tab.close();
  });

  it('examples/websocket/react-client.jsx: live values and a request button', async () => {
    const source = readFileSync(join(ROOT, 'examples/websocket/react-client.jsx'), 'utf8');
    pages.set('/ours', await page(source, { url: await demo(), streams: ['ticker', 'notifications'] }));
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${webPort}/ours`);
    await tab.getByTestId('status').filter({ hasText: 'open' }).waitFor({ timeout: 10_000 });
    await tab.getByTestId('stream-ticker').filter({ hasText: /"price":[\d.]+/ }).waitFor({ timeout: 10_000 });
    await tab.getByTestId('stream-notifications').filter({ hasText: /"message":/ }).waitFor({ timeout: 10_000 });
    await tab.getByRole('button', { name: 'request ticker' }).click();
    await tab.screenshot({ path: join(RESULTS, 'interop-react-client.png') });
    await tab.close();
  });

  it('compression: Chromium negotiates permessage-deflate where an endpoint allows it and reads compressed messages whole', async () => {
    const big = { type: 'big', rows: Array.from({ length: 2000 }, (_, i) => ({ id: i, status: 'active' })) };
    const { ws, server } = await startServer({
      endpoints: [
        {
          path: '/zipped',
          perMessageDeflate: { threshold: 0 },
          streams: [{ name: 'ticker', interval: 50, generator: 'ticker' }],
          rules: [{ when: { type: 'big' }, then: [{ reply: big }] }],
        },
        { path: '/plain', streams: [{ name: 'ticker', interval: 50, generator: 'ticker' }] },
      ],
    });
    // A plain page: open, subscribe, ask for the large reply, and report what arrived.
    const script = (url: string) => `
      const socket = new WebSocket(${JSON.stringify(url)});
      const seen = { extensions: '', ticks: 0, bigRows: 0 };
      socket.onopen = () => { seen.extensions = socket.extensions; socket.send(JSON.stringify({ type: 'subscribe', event: 'ticker' })); socket.send(JSON.stringify({ type: 'big' })); };
      socket.onmessage = (event) => {
        const message = JSON.parse(event.data);
        if (message.type === 'event') seen.ticks += 1;
        if (message.type === 'big') seen.bigRows = message.rows.length;
        document.getElementById('out').textContent = JSON.stringify(seen);
      };`;
    for (const [path, extensions, bigRows] of [['/zipped', 'permessage-deflate', 2000], ['/plain', '', 0]] as const) {
      pages.set(`/deflate${path}`, `<!doctype html><html><body><pre id="out"></pre><script>${script(ws(path))}</script></body></html>`);
      const tab = await browser.newPage();
      await tab.goto(`http://127.0.0.1:${webPort}/deflate${path}`);
      const seenSoFar = `JSON.parse(document.getElementById('out').textContent || '{}')`;
      await tab.waitForFunction(`${seenSoFar}.ticks >= 3`, undefined, { timeout: 10_000 });
      const seen = JSON.parse((await tab.textContent('#out')) ?? '{}') as { extensions: string; bigRows: number };
      assert.equal(seen.extensions, extensions, path);
      if (bigRows > 0) await tab.waitForFunction(`${seenSoFar}.bigRows === 2000`, undefined, { timeout: 10_000 });
      assert.equal(server.clients().find((c) => c.endpoint === path)?.compressed, extensions !== '', `${path}: the server agrees`);
      await tab.close();
    }
  });

  it('examples/http: a page on another origin lists orders by REST, places one, sees the WebSocket push, and reads a streamed answer', async () => {
    const dir = join(ROOT, 'examples/http');
    const { config, baseDir } = loadConfig({ cwd: ROOT, env: {}, configFile: 'examples/http/mockwave.yaml' });
    const { http, server } = await startServer({ ...config, host: '127.0.0.1', port: 0, log: { level: 'silent' } }, { baseDir });
    // Served by the test's own web server: another origin than the API, as a dev server would be.
    pages.set('/orders', readFileSync(join(dir, 'index.html'), 'utf8'));
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(error.message));
    await tab.goto(`http://127.0.0.1:${webPort}/orders?api=${encodeURIComponent(http('').replace(/\/$/, ''))}`);
    await tab.locator('#orders li').nth(1).waitFor({ timeout: 10_000 });
    assert.deepEqual(await tab.locator('#orders li').allTextContents(), ['o-1 AAPL × 5 (filled)', 'o-2 MSFT × 12 (open)']);
    await waitUntil(() => server.clients().some((c) => c.subscriptions.includes('orders')), 5000, 'the page to subscribe');
    await tab.fill('input[name=symbol]', 'NVDA');
    await tab.fill('input[name=qty]', '7');
    await tab.click('text=Place order');
    await tab.getByRole('status').filter({ hasText: '201 accepted' }).waitFor({ timeout: 10_000 });
    await tab.locator('#events li', { hasText: 'order.created: NVDA × 7' }).waitFor({ timeout: 10_000 });
    await tab.click('#ask');
    await tab.locator('#answer[data-done=yes]').waitFor({ timeout: 10_000 });
    assert.equal(await tab.textContent('#answer'), 'Your orders look fine.');
    await tab.screenshot({ path: join(RESULTS, 'interop-http-example.png') });
    assert.deepEqual(errors, []);
    // The same page is served by mockwave itself at /app, from the example's folder.
    assert.match(await (await fetch(http('/app'))).text(), /<title>Orders \(mockwave example\)<\/title>/);
    const routes = server.stats().http.routes;
    assert.deepEqual(['list orders', 'create order', 'assistant'].map((name) => routes.find((r) => r.name === name)?.hits), [1, 1, 1]);
    await tab.close();
  });

  it("Server-Sent Events: Chromium's EventSource reconnects after the server closes it and resumes with Last-Event-ID, nothing lost or repeated", async () => {
    const { http, server } = await startServer({ endpoints: [{ path: '/events', protocol: 'sse', sse: { retry: 200 }, streams: [{ name: 'ticker', interval: 30, data: { n: '{{counter}}' } }] }] });
    pages.set('/sse', `<!doctype html><html><body><script>
      window.ids = []; window.opens = 0;
      const source = new EventSource(${JSON.stringify(http('/events'))});
      source.onopen = () => { window.opens += 1; };
      source.addEventListener('ticker', (e) => window.ids.push(Number(e.lastEventId)));
    </script></body></html>`);
    const tab = await browser.newPage();
    await tab.goto(`http://127.0.0.1:${webPort}/sse`);
    await tab.waitForFunction('window.ids.length >= 5', undefined, { timeout: 10_000 });
    const first = server.clients().find((c) => c.endpoint === '/events');
    assert.ok(first !== undefined);
    assert.equal((await fetch(http(`/admin/websocket/clients/${first.id}/close`), { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status, 200);
    await tab.waitForFunction('window.opens >= 2 && window.ids.length >= 25', undefined, { timeout: 10_000 });
    const ids = (await tab.evaluate('window.ids')) as number[];
    const second = server.clients().find((c) => c.endpoint === '/events');
    assert.ok(second !== undefined && second.id !== first.id, 'a new connection: the browser reconnected');
    assert.deepEqual(ids, Array.from({ length: ids.length }, (_, i) => (ids[0] ?? 0) + i), 'every id once, in order, across the reconnect');
    await tab.close();
  });

  it('cookies from another origin: fetch with credentials sets and reads a cookie, a preflighted call carries it, EventSource withCredentials streams; refused without cors.credentials', async () => {
    const app = {
      endpoints: [{ path: '/events', protocol: 'sse' as const, sse: { heartbeat: 0 }, streams: [{ name: 'ticker', interval: 30, data: { n: '{{counter}}' } }] }],
      http: {
        routes: [
          { name: 'login', method: 'POST' as const, path: '/api/login', then: [{ respond: { status: 204, headers: { 'set-cookie': 'session=s-42; Path=/; SameSite=Lax' } } }] },
          { name: 'me', method: 'GET' as const, path: '/api/me', when: { cookies: { session: '^s-' } }, then: [{ respond: { headers: { 'x-total-count': '1' }, body: { session: '{{request.cookies.session}}' } } }] },
          { name: 'anonymous', method: 'GET' as const, path: '/api/me', then: [{ respond: { status: 401, body: { error: 'log in first' } } }] },
        ],
      },
    };
    // The page: log in, read who it is (simply, then with a header of its own, which asks first), then stream.
    const script = (api: string) => `
      window.seen = { events: 0 };
      (async () => {
        const login = await fetch(${JSON.stringify(`${api}/api/login`)}, { method: 'POST', credentials: 'include' });
        window.seen.login = login.status;
        const me = await fetch(${JSON.stringify(`${api}/api/me`)}, { credentials: 'include' });
        window.seen.me = [me.status, await me.json(), me.headers.get('x-total-count')];
        const traced = await fetch(${JSON.stringify(`${api}/api/me`)}, { credentials: 'include', headers: { 'x-trace': 't-1' } });
        window.seen.traced = [traced.status, await traced.json()];
        const source = new EventSource(${JSON.stringify(`${api}/events`)}, { withCredentials: true });
        source.addEventListener('ticker', () => { window.seen.events += 1; });
        source.onerror = () => { window.seen.sourceError = source.readyState; };
      })().catch((error) => { window.seen.error = String(error); });`;
    const open = (api: string, path: string) => {
      pages.set(path, `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script>${script(api)}</script></body></html>`);
    };
    const { http, server } = await startServer({ ...app, cors: { credentials: true } });
    const api = http('').replace(/\/$/, '');
    open(api, '/cookies');
    const tab = await browser.newPage();
    const errors: string[] = [];
    tab.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    // Another origin than the API's (another port), as a dev server is.
    await tab.goto(`http://127.0.0.1:${webPort}/cookies`);
    await tab.waitForFunction('window.seen.events >= 3 || window.seen.error !== undefined || window.seen.sourceError !== undefined', undefined, { timeout: 10_000 });
    const seen = (await tab.evaluate('window.seen')) as Record<string, unknown>;
    assert.equal(seen['error'], undefined, `the page: ${JSON.stringify(seen)} ${errors.join(' | ')}`);
    assert.equal(seen['login'], 204);
    assert.deepEqual(seen['me'], [200, { session: 's-42' }, '1'], 'the cookie went back, the route matched it, and the page may read its header');
    assert.deepEqual(seen['traced'], [200, { session: 's-42' }], 'after a credentialed preflight');
    assert.equal(seen['sourceError'], undefined, 'the EventSource opened with credentials and kept streaming');
    assert.deepEqual(errors, []);
    const routes = server.stats().http.routes;
    assert.deepEqual(['login', 'me', 'anonymous'].map((name) => routes.find((r) => r.name === name)?.hits), [1, 2, 0]);
    await tab.close();

    // Today's default (no cors.credentials): the browser hides the answer from a credentialed fetch.
    const strict = await startServer(app);
    open(strict.http('').replace(/\/$/, ''), '/no-cookies');
    const refusedTab = await browser.newPage();
    await refusedTab.goto(`http://127.0.0.1:${webPort}/no-cookies`);
    await refusedTab.waitForFunction('window.seen.error !== undefined', undefined, { timeout: 10_000 });
    assert.match(String(await refusedTab.evaluate('window.seen.error')), /Failed to fetch/);
    await refusedTab.close();
  });
});
