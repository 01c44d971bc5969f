import type { Peer } from '../hub/peer.ts';

/**
 * The last events of a Server-Sent Events endpoint, so a client that reconnects with `Last-Event-ID` gets
 * exactly the events it missed: each kept with its id, its topics and its encoded frame. Bounded: the
 * oldest go first, and a client asking from before them is told so.
 */
export interface KeptEvent {
  readonly id: number;
  readonly topics: readonly string[];
  /** The stream's data, for the stream's per-subscriber condition. */
  readonly data: unknown;
  readonly stream: string;
  readonly frame: Buffer;
  /** Who it was for, when it was published to some clients only (a caller's own connections). */
  readonly only?: ((peer: Peer) => boolean) | undefined;
}

export class EventHistory {
  readonly #kept: KeptEvent[] = [];
  readonly #size: number;
  #next = 1;

  constructor(size: number) {
    this.#size = size;
  }

  /** The id the next event gets. */
  nextId(): number {
    return this.#next++;
  }

  keep(event: KeptEvent): void {
    if (this.#size === 0) return;
    this.#kept.push(event);
    if (this.#kept.length > this.#size) this.#kept.shift();
  }

  /** The events after `lastId`, oldest first, and how many before them are no longer kept. */
  after(lastId: number): { readonly events: readonly KeptEvent[]; readonly lost: number } {
    const oldest = this.#kept[0]?.id ?? this.#next;
    const lost = Math.max(0, Math.min(oldest, this.#next) - lastId - 1);
    return { events: this.#kept.filter((e) => e.id > lastId), lost };
  }
}

/**
 * The frames a resuming client missed: kept events after `lastId` on its topics (all of them while it has
 * none: it receives everything) that `passes` lets through, and how many are no longer kept.
 */
export function missedBy(history: EventHistory | undefined, lastId: number, topics: ReadonlySet<string>, passes: (event: KeptEvent, topic: string) => boolean): { readonly frames: Buffer[]; readonly lost: number } {
  const { events, lost } = history?.after(lastId) ?? { events: [], lost: 0 };
  const frames: Buffer[] = [];
  for (const event of events) {
    const topic = event.topics.find((t) => topics.size === 0 || topics.has(t));
    if (topic !== undefined && passes(event, topic)) frames.push(event.frame);
  }
  return { frames, lost };
}
