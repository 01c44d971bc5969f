import { after } from 'node:test';
import { createMockServer, type EndpointConfigInput, type MockServer, type MockServerOptions, type MockwaveConfigInput, type StartInfo } from '../../src/index.ts';

export interface RunningServer {
  readonly server: MockServer;
  readonly info: StartInfo;
  /** `ws://127.0.0.1:<port>` + path. */
  ws(path?: string): string;
  http(path: string): string;
}

/**
 * Starts a server on 127.0.0.1, port 0, silent unless told, and stops nothing: for a suite's before(), whose
 * after() stops it (`server.stop()`). Inside a test, use startServer().
 */
export async function launchServer(config: MockwaveConfigInput = {}, options: MockServerOptions = {}): Promise<RunningServer> {
  const server = createMockServer({ host: '127.0.0.1', port: 0, log: { level: 'silent' }, ...config }, { shutdownGraceMs: 1000, ...options });
  const info = await server.start();
  const base = `127.0.0.1:${info.port}`;
  return { server, info, ws: (path = '/ws') => `ws://${base}${path}`, http: (path) => `http://${base}${path}` };
}

/**
 * launchServer(), stopped by an after() hook of the test that called it. node:test attaches that hook to the
 * running test or hook, so called from a suite's before() it would stop the server as soon as before() ends:
 * there, use launchServer().
 */
export async function startServer(config: MockwaveConfigInput = {}, options: MockServerOptions = {}): Promise<RunningServer> {
  const running = await launchServer(config, options);
  after(() => running.server.stop());
  return running;
}

export const tickerEndpoint: EndpointConfigInput = {
  path: '/ws',
  dialect: 'guide',
  streams: [
    { name: 'ticker', interval: 50, data: { symbol: 'MOCK', price: 100.5 } },
    { name: 'news', data: { headline: 'hello' } },
  ],
};

/** The demo (the guide preset's ticker and notifications), ticking fast, for running client examples against. */
export async function startDemoServer(): Promise<string> {
  const { ws } = await startServer({ preset: 'guide', streamOverrides: { ticker: { interval: 50 }, notifications: { interval: 100 } } });
  return ws('/ws');
}
