import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseProxyRoutes } from '../../src/config/env.ts';
import { loadConfig, type LoadOptions } from '../../src/sources/load.ts';
import { checkConfig, validateConfig } from '../../src/config/validate.ts';
import { isMockwaveError, type MockwaveError } from '../../src/errors/catalog.ts';
import { tempDir } from '../helpers/temp-dir.ts';

function dirWith(files: Record<string, string>): string {
  const dir = tempDir('config');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function load(files: Record<string, string>, options: Omit<LoadOptions, 'cwd'> = {}) {
  return loadConfig({ env: {}, ...options, cwd: dirWith(files) });
}

function problems(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    assert.ok(isMockwaveError(error, 'MW_CONFIG_INVALID'), `expected MW_CONFIG_INVALID, got ${String(error)}`);
    return (error as MockwaveError).details;
  }
  assert.fail('expected the configuration to be refused');
}

describe('config: schema', () => {
  it('fills defaults', () => {
    const config = validateConfig({});
    assert.equal(config.port, 3000);
    assert.deepEqual(config.websocket, { enabled: true, heartbeatInterval: 30_000, handshakeTimeout: 10_000, maxPayload: 10 * 1024 * 1024, maxSubscriptions: 100, maxBufferedBytes: 1024 * 1024, slowClientGrace: 10_000, maxQueuedBytes: 128 * 1024 * 1024 });
    assert.deepEqual(config.endpoints, []);
    assert.deepEqual(config.proxy, { enabled: false, recordMaxBytes: 1024 * 1024 * 1024, routes: [] });
  });

  it('reports every problem at once, each with its path', () => {
    const found = problems(() =>
      validateConfig({
        port: -1,
        nope: true,
        websocket: { heartbeatInterval: 'often' },
        endpoints: [
          { path: 'ws', dialect: 'klingon', streams: [{ name: 'a', interval: -5, data: 1 }, { name: 'a', data: 1 }, { name: 'b' }, { name: 'c', interval: '9-3', data: 1 }] },
          { path: '/x', streams: [{ name: 'd', data: 1, generator: 'ticker' }, { name: 'e', generator: 'ticker', options: { price: -1 } }, { name: 'f', data: 1, options: {} }] },
          { path: '/x' },
        ],
        proxy: { routes: [{ name: 'bad name', url: 'http://example.test' }] },
        log: { level: 'loud' },
      }),
    );
    const expected = [
      'port: expected a number >= 0',
      'websocket.heartbeatInterval: expected a number, got the string "often"',
      'endpoints[0].path: expected a path starting with "/" (no spaces, query or fragment)',
      'endpoints[0].dialect: expected one of "guide", "cerberus", "raw", got the string "klingon"',
      'endpoints[0].streams[0].interval: expected a number >= 0',
      'endpoints[0].streams[1].name: duplicate stream name "a" (also streams[0])',
      'endpoints[0].streams[2].data: is required (or name a `generator`, or give a `sequence`)',
      'endpoints[0].streams[3].interval: range "9-3" has its minimum above its maximum',
      'endpoints[1].streams[0].data: give one of `data`, `generator` or `sequence`',
      'endpoints[1].streams[1].options.price: expected a number > 0',
      'endpoints[1].streams[2].options: options are for a `generator`; this stream has none',
      'endpoints[2].path: duplicate endpoint path "/x" (also endpoints[1])',
      'proxy.routes[0].name: expected letters, digits, "_", "." or "-"',
      'proxy.routes[0].url: expected a ws:// or wss:// URL',
      'log.level: expected one of "debug", "info", "warn", "error", "silent", got the string "loud"',
      '(root): unknown key "nope"',
    ];
    for (const line of expected) assert.ok(found.includes(line), `missing: ${line}\nfound:\n${found.join('\n')}`);
    assert.equal(found.length, expected.length, found.join('\n'));
  });

  it('accepts the guide example events as written', () => {
    const result = checkConfig({ endpoints: [{ path: '/ws', streams: [{ name: 'ticker', interval: 2000, data: { symbol: 'MOCK', price: 100.5, change: 1.25 } }, { name: 'notifications', interval: 5000, data: { message: 'System update', type: 'info' } }, { name: 'x', data: null, condition: 'gt data.price 100' }] }] });
    assert.ok(result.ok, result.ok ? '' : result.problems.join('\n'));
  });
});

describe('config: sources', () => {
  it('serves the guide demo with nothing configured', () => {
    const { config, preset, files } = load({});
    assert.equal(preset, 'guide');
    assert.equal(config.port, 3000);
    assert.deepEqual(config.endpoints.map((e) => e.path), ['/ws']);
    assert.deepEqual(config.endpoints[0]?.streams.map((s) => [s.name, s.interval]), [['ticker', 2000], ['notifications', 5000]]);
    assert.deepEqual(files, []);
  });

  it('reads the guide variables as written', () => {
    const { config } = load({}, {
      env: {
        WEBSOCKET_ENABLED: 'true',
        WEBSOCKET_PATH: '/socket',
        WEBSOCKET_MOCK_EVENTS: '[{"name":"ticker","interval":2000,"data":{"price":100}}]',
        WEBSOCKET_PROXY_ENABLED: 'true',
        WEBSOCKET_PROXY_ROUTES: 'echo:wss://echo.websocket.org,binance:wss://stream.binance.com:9443',
        WEBSOCKET_HEARTBEAT_INTERVAL: '30000',
        WEBSOCKET_MAX_PAYLOAD: '10485760',
        PORT: '4100',
        HOST: '127.0.0.1',
      },
    });
    assert.equal(config.port, 4100);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.endpoints[0]?.path, '/socket');
    assert.deepEqual(config.endpoints[0]?.streams, [{ name: 'ticker', interval: 2000, data: { price: 100 } }]);
    assert.equal(config.proxy.enabled, true);
    assert.deepEqual(config.proxy.routes.map((r) => [r.name, r.url, r.announce, r.connectTimeout]), [['echo', 'wss://echo.websocket.org', true, 10_000], ['binance', 'wss://stream.binance.com:9443', true, 10_000]]);
    assert.equal(config.websocket.heartbeatInterval, 30_000);
    assert.equal(config.websocket.maxPayload, 10_485_760);
  });

  it('applies sources in order: preset < file < .env < .env.<NODE_ENV> < .env.local < environment < flags', () => {
    const files = {
      'mock.yaml': 'port: 4001\nwebsocket:\n  heartbeatInterval: 1000\n  maxPayload: 2048\nendpoints:\n  - path: /file\n    streams: [{ name: a, data: 1 }]\n',
      '.env': 'WEBSOCKET_HEARTBEAT_INTERVAL=2000\nWEBSOCKET_MAX_PAYLOAD=4096\nPORT=4002\nHOST=::1\n',
      '.env.production': 'WEBSOCKET_MAX_PAYLOAD=8192\nHOST=127.0.0.2\n',
      '.env.local': 'HOST=127.0.0.3\nWEBSOCKET_PATH=/local\n',
    };
    const { config, files: used } = load(files, {
      configFile: 'mock.yaml',
      env: { NODE_ENV: 'production', PORT: '4003' },
      overrides: [{ path: ['port'], value: 4004, source: '--port' }],
    });
    assert.equal(config.websocket.heartbeatInterval, 2000, '.env beats the file');
    assert.equal(config.websocket.maxPayload, 8192, '.env.production beats .env');
    assert.equal(config.host, '127.0.0.3', '.env.local beats .env.production');
    assert.equal(config.endpoints[0]?.path, '/local');
    assert.deepEqual(config.endpoints.length, 1, 'the file replaced the preset endpoints');
    assert.equal(config.port, 4004, 'a flag beats the environment');
    assert.equal(used.length, 4);
    assert.equal(load(files, { configFile: 'mock.yaml', env: { PORT: '4003' } }).config.port, 4003, 'the environment beats .env');
    assert.equal(load(files, { configFile: 'mock.yaml', env: {} }).config.websocket.maxPayload, 4096, '.env.production only with NODE_ENV=production');
  });

  it('reads JSON config files and keeps the preset where the file says nothing', () => {
    const { config } = load({ 'c.json': '{"port": 4010}' }, { configFile: 'c.json' });
    assert.equal(config.port, 4010);
    assert.equal(config.endpoints[0]?.path, '/ws');
  });

  it('names the variable or flag behind a bad value, and reports all sources together', () => {
    const found = problems(() =>
      load({ '.env': 'WEBSOCKET_HEARTBEAT_INTERVAL=soon\n' }, {
        env: { WEBSOCKET_MOCK_EVENTS: '[{"name":"x","interval":-1,"data":1}]', WEBSOCKET_PROXY_ROUTES: 'nonsense', WEBSOCKET_ENABLED: 'maybe' },
        overrides: [{ path: ['port'], value: 'abc', source: '--port' }],
      }),
    );
    assert.deepEqual([...found].sort(), [
      'WEBSOCKET_PROXY_ROUTES: expected name:url pairs separated by commas, got "nonsense"',
      'endpoints[0].streams[0].interval: expected a number >= 0 (from WEBSOCKET_MOCK_EVENTS)',
      'port: expected a number, got the string "abc" (from --port)',
      'websocket.enabled: expected a boolean, got the string "maybe" (from WEBSOCKET_ENABLED)',
      'websocket.heartbeatInterval: expected a number, got the string "soon" (from WEBSOCKET_HEARTBEAT_INTERVAL)',
    ]);
    const json = problems(() => load({}, { env: { WEBSOCKET_MOCK_EVENTS: '[{name:' } }));
    assert.equal(json.length, 1);
    assert.match(json[0] ?? '', /^WEBSOCKET_MOCK_EVENTS: invalid JSON: /);
  });

  it('refuses unreadable and malformed files with the file name', () => {
    const cases: [Record<string, string>, string, string, RegExp][] = [
      [{}, 'missing.yaml', 'MW_CONFIG_FILE_UNREADABLE', /missing\.yaml: no such file/],
      [{ 'bad.yaml': 'port: [1,\n' }, 'bad.yaml', 'MW_CONFIG_FILE_SYNTAX', /bad\.yaml is not valid YAML/],
      [{ 'bad.json': '{"port": }' }, 'bad.json', 'MW_CONFIG_FILE_SYNTAX', /bad\.json is not valid JSON/],
      [{ 'list.yaml': '- 1\n- 2\n' }, 'list.yaml', 'MW_CONFIG_FILE_SYNTAX', /must hold an object at the top level, not an array/],
    ];
    for (const [files, name, code, pattern] of cases) {
      assert.throws(() => load(files, { configFile: name }), (error: unknown) => isMockwaveError(error) && error.code === code && pattern.test(error.message));
    }
    assert.deepEqual(problems(() => load({}, { preset: 'nope' })), ['preset: expected one of "guide", "cerberus", got "nope"']);
  });

  it('streamOverrides tune a preset stream by name; flags and env say which one set a bad value', () => {
    const { config } = load({}, { preset: 'cerberus', env: { MOCKWAVE_METRIC_INTERVAL: '1500' }, overrides: [{ path: ['streamOverrides', 'events', 'interval'], value: '100-200', source: '--event-interval' }] });
    assert.deepEqual(config.endpoints[0]?.streams.map((s) => s.interval), ['100-200', 1500, 10000]);
    assert.equal(config.streamOverrides, undefined, 'applied, then gone');
    assert.deepEqual(problems(() => load({}, { preset: 'cerberus', overrides: [{ path: ['streamOverrides', 'status', 'interval'], value: -1, source: '--status-interval' }] })), [
      'endpoints[0].streams[2].interval: expected a number >= 0 (from --status-interval)',
    ]);
    assert.deepEqual(problems(() => load({}, { env: { MOCKWAVE_EVENT_INTERVAL: '1000' } })), ['streamOverrides.events: no stream is named "events" (from MOCKWAVE_EVENT_INTERVAL)']);
    const merged = validateConfig({ preset: 'cerberus', streamOverrides: { events: { options: { severityWeights: { low: 0, medium: 0, high: 1, critical: 1 } } } } });
    assert.deepEqual(merged.endpoints[0]?.streams[0]?.options, { severityWeights: { low: 0, medium: 0, high: 1, critical: 1 } });
    assert.equal(merged.port, 3001, 'the library honours preset too');
  });

  it('parses proxy routes whose URLs contain colons', () => {
    assert.deepEqual(parseProxyRoutes('a:ws://h:1/p?q=1, b:wss://x'), [{ name: 'a', url: 'ws://h:1/p?q=1' }, { name: 'b', url: 'wss://x' }]);
    assert.equal(typeof parseProxyRoutes(':ws://x'), 'string');
  });

  it('WEBSOCKET_PROXY_ROUTES merges by route name over the file: its URL wins, the file\'s options and other routes stay', () => {
    const file = 'proxy:\n  enabled: true\n  routes:\n    - { name: feed, url: "ws://file.example/feed", announce: false, headers: { x-api-key: k1 } }\n    - { name: kept, url: "ws://file.example/kept", connectTimeout: 500 }\n';
    const { config } = load({ 'mock.yaml': file }, { configFile: 'mock.yaml', env: { WEBSOCKET_PROXY_ROUTES: 'feed:ws://env.example/feed,extra:ws://env.example/extra' } });
    assert.deepEqual(
      config.proxy.routes.map((r) => [r.name, r.url, r.announce, r.headers, r.connectTimeout]),
      [
        ['feed', 'ws://env.example/feed', false, { 'x-api-key': 'k1' }, 10_000],
        ['kept', 'ws://file.example/kept', true, {}, 500],
        ['extra', 'ws://env.example/extra', true, {}, 10_000],
      ],
    );
    // A bad URL from the environment is still reported against the variable, and nothing is half-applied.
    assert.deepEqual(problems(() => load({ 'mock.yaml': file }, { configFile: 'mock.yaml', env: { WEBSOCKET_PROXY_ROUTES: 'feed:http://nope' } })), ['proxy.routes[0].url: expected a ws:// or wss:// URL (from WEBSOCKET_PROXY_ROUTES)']);
  });
});
