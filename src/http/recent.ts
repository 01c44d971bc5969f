/**
 * The last requests answered, for the dashboard's request list when the journal is off (with it on, the
 * list reads the journal): HTTP requests, and WebSocket upgrades and Server-Sent Events connects beside them,
 * accepted or refused. At most 100, each numbered so the dashboard adds only what it has not shown yet.
 */
import type { HttpRequestRecord } from './figures.ts';

const RECENT = 100;

export class RecentRequests {
  readonly #list: HttpRequestRecord[] = [];
  #n = 0;

  /** The number the next record gets. */
  number(): number {
    this.#n += 1;
    return this.#n;
  }

  add(record: HttpRequestRecord): void {
    if (this.#list.push(record) > RECENT) this.#list.shift();
  }

  /**
   * A WebSocket upgrade (101 when accepted) or a Server-Sent Events connect (200), or its refusal's status:
   * `path` without its query (which may hold a token).
   */
  connect(protocol: 'websocket' | 'sse', at: number, path: string, status: number, client: string | undefined): void {
    this.add({ n: this.number(), at, method: 'GET', path: path.slice(0, 300), status, route: undefined, ms: 0, protocol, ...(client === undefined ? {} : { client }) });
  }

  /** Newest first. */
  newestFirst(): HttpRequestRecord[] {
    return [...this.#list].reverse();
  }
}
