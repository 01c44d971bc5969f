/**
 * A `ws` client whose incoming messages form an awaitable queue: `await client.next()` waits (with a
 * timeout) for the next message instead of sleeping and hoping.
 */
import WebSocket from 'ws';

export interface Received {
  readonly text: string;
  readonly isBinary: boolean;
  /** The message's bytes exactly as received. */
  readonly data: Buffer;
}

export interface WsTestClient {
  readonly ws: WebSocket;
  /** Next message, parsed as JSON. */
  next<T = Record<string, unknown>>(timeoutMs?: number): Promise<T>;
  /** Next message as raw text. */
  nextRaw(timeoutMs?: number): Promise<Received>;
  /** Skips messages until one of this `type` arrives; returns it. */
  nextOfType<T = Record<string, unknown>>(type: string, timeoutMs?: number): Promise<T>;
  /** Every message (parsed) until none arrives for `quietMs`; throws if `max` arrive without a pause. */
  drain<T = Record<string, unknown>>(quietMs?: number, max?: number): Promise<T[]>;
  /** Resolves when no message arrives within `ms` (proves silence, bounded). */
  expectSilence(ms: number): Promise<void>;
  send(value: unknown): void;
  /** The close code and reason once the connection is closed; fails, naming the URL, after `timeoutMs`. */
  closed(timeoutMs?: number): Promise<{ code: number; reason: string }>;
  close(): Promise<void>;
  /** Messages received but not yet taken. */
  readonly pending: number;
}

export function wsConnect(url: string, options: WebSocket.ClientOptions & { protocols?: string | string[] } = {}): Promise<WsTestClient> {
  const { protocols, ...clientOptions } = options;
  const ws = new WebSocket(url, protocols, clientOptions);
  const queue: Received[] = [];
  const waiters: ((m: Received) => void)[] = [];
  ws.on('message', (data, isBinary) => {
    const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
    const message = { text: bytes.toString('utf8'), isBinary, data: bytes };
    const waiter = waiters.shift();
    if (waiter !== undefined) waiter(message);
    else queue.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  // Errors after open surface as a close; keep them from becoming unhandled.
  ws.on('error', () => undefined);

  const nextRaw = (timeoutMs = 2000): Promise<Received> => {
    const queued = queue.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const index = waiters.indexOf(waiter);
        if (index >= 0) waiters.splice(index, 1);
        reject(new Error(`No message within ${timeoutMs} ms from ${url}`));
      }, timeoutMs);
      const waiter = (m: Received): void => {
        clearTimeout(timer);
        resolve(m);
      };
      waiters.push(waiter);
    });
  };

  const client: WsTestClient = {
    ws,
    nextRaw,
    async next<T>(timeoutMs?: number): Promise<T> {
      return JSON.parse((await nextRaw(timeoutMs)).text) as T;
    },
    async nextOfType<T>(type: string, timeoutMs = 2000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`No "${type}" message within ${timeoutMs} ms`);
        const message = JSON.parse((await nextRaw(left)).text) as { type?: unknown };
        if (message.type === type) return message as T;
      }
    },
    async drain<T>(quietMs = 150, max = 500): Promise<T[]> {
      const out: T[] = [];
      for (let i = 0; i < max; i++) {
        let message: Received;
        try {
          message = await nextRaw(quietMs);
        } catch {
          return out; // quiet for quietMs: drained
        }
        out.push(JSON.parse(message.text) as T);
      }
      // A connection that never goes quiet (a stream still ticking) is a test's mistake, not a drained queue.
      throw new Error(`drain: still receiving after ${max} messages from ${url}; take a counted number instead`);
    },
    async expectSilence(ms: number): Promise<void> {
      try {
        const m = await nextRaw(ms);
        throw new Error(`Expected silence, got ${m.text}`);
      } catch (error) {
        if ((error as Error).message.startsWith('Expected silence')) throw error;
      }
    },
    send(value) {
      ws.send(typeof value === 'string' || Buffer.isBuffer(value) ? value : JSON.stringify(value));
    },
    closed(timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`No close from ${url} within ${timeoutMs} ms`)), timeoutMs);
        void closed.then((result) => {
          clearTimeout(timer);
          resolve(result);
        });
      });
    },
    async close() {
      if (ws.readyState === ws.CLOSED) return;
      ws.close();
      await closed;
    },
    get pending() {
      return queue.length;
    },
  };

  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => reject(Object.assign(new Error(`Handshake refused: ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}
