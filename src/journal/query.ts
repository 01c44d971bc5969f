/**
 * Which journal entries a query asks for. Every field narrows; `since` and `limit` page through the ring in
 * order (the answer's `next` is the `since` of the next page). A broadcast is one entry with no client: asked
 * for by client (or by scope), it counts when the client (or a client of that scope) received it: on the
 * broadcast's endpoint and subscribed to one of its topics at that point of the journal, as the journal's own
 * `open` (receiving every topic until the first subscription), `subscribe` and `unsubscribe` entries tell,
 * and not among those a partial broadcast names as missed; a broadcast that names who it reached counts for
 * those alone.
 */
import { z } from 'zod';
import { JOURNAL_KINDS, JOURNAL_PROTOCOLS, type JournalEntry } from './entry.ts';

const JOURNAL_LIMIT = 10_000;

export const journalQuerySchema = z.strictObject({
  scope: z.string().min(1).optional(),
  client: z.string().min(1).optional(),
  endpoint: z.string().min(1).optional(),
  route: z.string().min(1).optional(),
  protocol: z.enum(JOURNAL_PROTOCOLS).optional(),
  direction: z.enum(['in', 'out']).optional(),
  kind: z.enum(JOURNAL_KINDS).optional(),
  source: z.string().min(1).optional(),
  since: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(JOURNAL_LIMIT).default(100),
});

export type JournalQuery = z.output<typeof journalQuerySchema>;
export type JournalQueryInput = z.input<typeof journalQuerySchema>;

/**
 * The clients a query is about as its scan reaches each point: the endpoint each is on (a broadcast is an
 * endpoint's: its hub is the endpoint's own), the topics each is subscribed to, and which receive every topic
 * until they first subscribe.
 */
class Subscriptions {
  readonly #endpoints = new Map<string, string>();
  readonly #byClient = new Map<string, Set<string>>();
  /** Clients receiving every topic until they first subscribe. */
  readonly #everything = new Set<string>();

  follow(entry: JournalEntry): void {
    const client = entry.client;
    // A state entry's endpoint is the state scope it changed, not the client's endpoint.
    if (client === undefined || entry.endpoint === undefined || entry.kind === 'state') return;
    this.#endpoints.set(client, entry.endpoint);
    if (entry.kind === 'open' && entry.topics?.length === 0) this.#everything.add(client);
    else if (entry.kind === 'close') {
      this.#byClient.delete(client);
      this.#everything.delete(client);
      this.#endpoints.delete(client);
    } else if (entry.kind === 'subscribe') {
      const topics = this.#byClient.get(client) ?? new Set<string>();
      topics.add(entry.topics?.[0] as string);
      this.#byClient.set(client, topics);
      this.#everything.delete(client);
    } else if (entry.kind === 'unsubscribe') this.#byClient.get(client)?.delete(entry.topics?.[0] as string);
  }

  /**
   * Whether a client followed here received the broadcast: one it names as reached, or, when it names none,
   * one on its endpoint subscribed to one of its topics (or receiving everything) and not named as missed.
   * Each list is read once per broadcast, so a scope of many clients costs no product of the two.
   */
  reached(broadcast: JournalEntry): boolean {
    const { topics = [], reached, endpoint } = broadcast;
    if (reached !== undefined) return reached.some((client) => this.#endpoints.get(client) === endpoint);
    const missed = broadcast.missed === undefined ? undefined : new Set(broadcast.missed);
    const got = (client: string): boolean => this.#endpoints.get(client) === endpoint && missed?.has(client) !== true;
    for (const client of this.#everything) if (got(client)) return true;
    for (const [client, held] of this.#byClient) if (topics.some((topic) => held.has(topic)) && got(client)) return true;
    return false;
  }
}

/** Each entry the query asks for, oldest first (a broadcast when a client or scope it is about received it). */
function* matching(entries: Iterable<JournalEntry>, query: Omit<JournalQuery, 'limit'>): Generator<JournalEntry> {
  const since = query.since ?? 0;
  const byWho = query.client !== undefined || query.scope !== undefined;
  const subscriptions = new Subscriptions();
  for (const entry of entries) {
    const mine = about(entry, query);
    if (byWho && mine) subscriptions.follow(entry);
    if (entry.seq <= since || !passes(entry, query)) continue;
    if (mine || (byWho && entry.kind === 'broadcast' && subscriptions.reached(entry))) yield entry;
  }
}

/** Whether an entry is about the client or scope asked for (always, when neither is asked). */
function about(entry: JournalEntry, query: Omit<JournalQuery, 'limit'>): boolean {
  return (query.client === undefined || entry.client === query.client) && (query.scope === undefined || entry.scope === query.scope);
}

/** Whether the fields of the query other than client and scope let the entry through. */
function passes(entry: JournalEntry, query: Omit<JournalQuery, 'limit'>): boolean {
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
  const found: JournalEntry[] = [];
  for (const entry of matching(entries, query)) {
    found.push(entry);
    if (found.length >= query.limit) break;
  }
  return found;
}

/**
 * The last `max` entries the query asks for, and how many came before them, holding at most twice `max`
 * decoded entries at any time (a log's history: the ring may be a GiB).
 */
export function selectLast(entries: Iterable<JournalEntry>, query: Omit<JournalQuery, 'limit'>, max: number): { readonly entries: JournalEntry[]; readonly earlier: number } {
  let kept: JournalEntry[] = [];
  let earlier = 0;
  for (const entry of matching(entries, query)) {
    kept.push(entry);
    if (kept.length < 2 * max) continue;
    earlier += kept.length - max;
    kept = kept.slice(-max);
  }
  if (kept.length > max) {
    earlier += kept.length - max;
    kept = kept.slice(-max);
  }
  return { entries: kept, earlier };
}
