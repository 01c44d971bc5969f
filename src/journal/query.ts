/**
 * Which journal entries a query asks for. Every field narrows; `since` and `limit` page through the ring in
 * order (the answer's `next` is the `since` of the next page). A broadcast is one entry with no client: asked
 * for by client (or by scope), it counts when the client (or a client of that scope) received it: subscribed
 * to one of its topics at that point of the journal, as the journal's own `open` (receiving every topic until
 * the first subscription), `subscribe` and `unsubscribe` entries tell, and not among those a partial broadcast
 * names as missed (or among those it names as reached).
 */
import { z } from 'zod';
import { JOURNAL_KINDS, type JournalEntry } from './entry.ts';

const JOURNAL_LIMIT = 10_000;

export const journalQuerySchema = z.strictObject({
  scope: z.string().min(1).optional(),
  client: z.string().min(1).optional(),
  endpoint: z.string().min(1).optional(),
  route: z.string().min(1).optional(),
  protocol: z.enum(['websocket', 'sse', 'http']).optional(),
  direction: z.enum(['in', 'out']).optional(),
  kind: z.enum(JOURNAL_KINDS).optional(),
  source: z.string().min(1).optional(),
  since: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(JOURNAL_LIMIT).default(100),
});

export type JournalQuery = z.output<typeof journalQuerySchema>;
export type JournalQueryInput = z.input<typeof journalQuerySchema>;

/** Topics each client (of those the query is about) is subscribed to at the current point of the scan. */
class Subscriptions {
  readonly #byClient = new Map<string, Set<string>>();
  /** Clients receiving every topic until they first subscribe. */
  readonly #everything = new Set<string>();

  follow(entry: JournalEntry): void {
    const client = entry.client;
    if (client === undefined) return;
    if (entry.kind === 'open' && entry.topics?.length === 0) this.#everything.add(client);
    else if (entry.kind === 'close') {
      this.#byClient.delete(client);
      this.#everything.delete(client);
    } else if (entry.kind === 'subscribe') {
      const topics = this.#byClient.get(client) ?? new Set<string>();
      topics.add(entry.topics?.[0] as string);
      this.#byClient.set(client, topics);
      this.#everything.delete(client);
    } else if (entry.kind === 'unsubscribe') this.#byClient.get(client)?.delete(entry.topics?.[0] as string);
  }

  /** Whether a client followed here received the broadcast: subscribed to one of its topics, and not missed by it. */
  reached(broadcast: JournalEntry): boolean {
    const { topics = [], reached, missed } = broadcast;
    for (const client of this.#everything) if (gotIt(client, reached, missed)) return true;
    for (const [client, held] of this.#byClient) if (topics.some((topic) => held.has(topic)) && gotIt(client, reached, missed)) return true;
    return false;
  }
}

/** Whether a subscriber got a broadcast that names who it reached, or who it missed (neither: everyone got it). */
const gotIt = (client: string, reached: readonly string[] | undefined, missed: readonly string[] | undefined): boolean => (reached === undefined ? missed?.includes(client) !== true : reached.includes(client));

/** Whether an entry is about the client or scope asked for (always, when neither is asked). */
function about(entry: JournalEntry, query: JournalQuery): boolean {
  return (query.client === undefined || entry.client === query.client) && (query.scope === undefined || entry.scope === query.scope);
}

/** Whether the fields of the query other than client and scope let the entry through. */
function passes(entry: JournalEntry, query: JournalQuery): boolean {
  return (
    (query.endpoint === undefined || entry.endpoint === query.endpoint) &&
    (query.route === undefined || entry.route === query.route) &&
    (query.protocol === undefined || entry.protocol === query.protocol) &&
    (query.direction === undefined || entry.direction === query.direction) &&
    (query.kind === undefined || entry.kind === query.kind) &&
    (query.source === undefined || entry.source === query.source)
  );
}

/** The entries the query asks for, oldest first, at most `limit`. */
export function selectEntries(entries: Iterable<JournalEntry>, query: JournalQuery): JournalEntry[] {
  const since = query.since ?? 0;
  const byWho = query.client !== undefined || query.scope !== undefined;
  const subscriptions = new Subscriptions();
  const found: JournalEntry[] = [];
  for (const entry of entries) {
    const mine = about(entry, query);
    if (byWho && mine) subscriptions.follow(entry);
    if (entry.seq <= since || !passes(entry, query)) continue;
    const counts = mine || (byWho && entry.kind === 'broadcast' && subscriptions.reached(entry));
    if (!counts) continue;
    found.push(entry);
    if (found.length >= query.limit) break;
  }
  return found;
}
