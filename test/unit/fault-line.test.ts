/**
 * A fault line on a fake peer, on a manual clock: what each fault does to the messages that pass, measured
 * on the injected clock (the issue's figures: drop 0.1 over 10,000 messages within 1 %, disconnect after N
 * exact, latency within its range and order kept), and the same seed giving the same faults.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { EndpointFaults, faultProfileSchema, HeldBudget, type FaultLine, type FaultProfileInput, type Framing } from '../../src/faults/index.ts';
import { newCounters, NO_OBSERVERS, type Faultable, type FaultHook, type OutKind } from '../../src/hub/peer.ts';
import { ManualClock } from '../../src/util/clock.ts';

interface Delivered {
  readonly at: number;
  readonly kind: OutKind | 'in';
  readonly text: string;
}

/** A peer that keeps what passes its faults, when it passed (the clock's time), and how it ended. */
class FakePeer implements Faultable {
  readonly id: string;
  readonly endpoint = '/ws';
  readonly url = '/ws';
  readonly remoteAddress = '127.0.0.1';
  readonly compressed = false;
  readonly connectedAt = 0;
  readonly counters = newCounters();
  observers = NO_OBSERVERS;
  faults: FaultHook | undefined = undefined;
  closed = false;
  bufferedAmount = 0;
  readonly delivered: Delivered[] = [];
  ended: string | undefined;
  /** Answers every message it receives at once, as a rule's reply does. */
  echo = false;
  /** Messages `pass` refuses (a client too far behind), from the next one on. */
  refuse = 0;
  readonly #clock: ManualClock;

  constructor(id: string, clock: ManualClock) {
    this.id = id;
    this.#clock = clock;
  }

  /** A message sent by logic: through the faults, as WsPeer and SsePeer send. */
  send(text: string | Buffer): void {
    const data = Buffer.from(text);
    if (this.faults === undefined || !this.faults.out('send', data, false, undefined)) this.pass('send', data);
  }
  /** A message from the client: through the faults, then to logic. */
  arrive(text: string): void {
    const data = Buffer.from(text);
    if (this.faults === undefined || !this.faults.in(data, false)) this.receive(data);
  }
  pass(kind: OutKind, data: Buffer): boolean {
    if (this.closed) return false;
    if (this.refuse > 0) {
      this.refuse -= 1;
      return false;
    }
    this.delivered.push({ at: this.#clock.now(), kind, text: data.toString() });
    return true;
  }
  receive(data: Buffer): void {
    this.delivered.push({ at: this.#clock.now(), kind: 'in', text: data.toString() });
    if (this.echo) this.send(`re ${data.toString()}`);
  }
  reset(): void {
    this.closed = true;
    this.ended = 'reset';
  }
  close(code?: number, reason?: string): void {
    this.faults?.flush();
    this.closed = true;
    this.ended = `${code} ${reason}`;
  }
  sendData(): void {}
  relay(): void {}
  offer(): boolean {
    return true;
  }
  pause(): void {}
  resume(): void {}
  terminate(): void {}
}

function setUp(profile: FaultProfileInput, seed = 7, maxHeldBytes = 1024 * 1024, framing: Framing = 'message', budget = new HeldBudget(128 * 1024 * 1024)) {
  const clock = new ManualClock(0);
  const reports: string[] = [];
  const connected: FakePeer[] = [];
  const faults = new EndpointFaults({ endpoint: '/ws', seed, clock, connected: () => connected, scopeOf: (peer) => (peer.id.startsWith('t1-') ? 't1' : undefined), framing, maxHeldBytes, budget, injected: (peer, kind, direction, detail) => reports.push(`${peer.id} ${kind} ${direction ?? '-'} ${detail}`) }, faultProfileSchema.parse(profile));
  const peer = (id = 'c1'): FakePeer => {
    const made = new FakePeer(id, clock);
    connected.push(made);
    faults.attach(made);
    return made;
  };
  return { clock, faults, peer, reports };
}

describe('fault line', () => {
  it('drops a share of 0.1 of 10,000 messages within 1 %, each one counted and reported', () => {
    const { peer, faults, reports } = setUp({ drop: 0.1 });
    const client = peer();
    for (let i = 0; i < 10_000; i++) client.send(`m${i}`);
    const dropped = 10_000 - client.delivered.length;
    assert.ok(Math.abs(dropped - 1000) <= 100, `dropped ${dropped} of 10,000`);
    assert.equal(faults.view().injected.drop, dropped);
    assert.equal(reports.length, dropped);
    assert.match(reports[0] ?? '', /^c1 drop out \d+ bytes$/);
  });

  it('disconnects right after the N-th message, with the code and reason asked for', () => {
    const { peer, reports } = setUp({ disconnect: { afterMessages: 5, code: 4000, reason: 'bye' } });
    const client = peer();
    for (let i = 1; i <= 8; i++) client.send(`m${i}`);
    assert.deepEqual(client.delivered.map((d) => d.text), ['m1', 'm2', 'm3', 'm4', 'm5']);
    assert.equal(client.ended, '4000 bye');
    assert.deepEqual(reports, ['c1 disconnect - close 4000']);
  });

  it('counts only delivered messages toward a disconnect: a lost one is not one of the N', () => {
    const { peer } = setUp({ drop: 0.5, disconnect: { afterMessages: 10 } });
    const client = peer();
    for (let i = 0; i < 100; i++) client.send(`m${i}`);
    assert.equal(client.delivered.length, 10);
    assert.equal(client.ended, '1001 fault injected: disconnect');
  });

  it('an abrupt disconnect resets the connection', () => {
    const { peer, clock } = setUp({ disconnect: { after: 1000, abrupt: true } });
    const client = peer();
    client.send('early');
    clock.advance(999);
    assert.equal(client.ended, undefined);
    clock.advance(1);
    assert.equal(client.ended, 'reset');
  });

  it('holds each message back within its range, on the clock, and never lets one overtake an earlier one', () => {
    const { peer, clock } = setUp({ latency: '50-200' });
    const client = peer();
    const sentAt = new Map<string, number>();
    for (let i = 0; i < 500; i++) {
      sentAt.set(`m${i}`, clock.now());
      client.send(`m${i}`);
      clock.advance(3);
    }
    clock.advance(1000);
    assert.equal(client.delivered.length, 500);
    assert.deepEqual(client.delivered.map((d) => d.text), [...sentAt.keys()]);
    const waits = client.delivered.map((d) => d.at - (sentAt.get(d.text) as number));
    assert.ok(Math.min(...waits) >= 50, `shortest wait ${Math.min(...waits)} ms`);
    // Order is kept: a message may wait behind a slower earlier one, never longer than the range's top.
    assert.ok(Math.max(...waits) <= 200, `longest wait ${Math.max(...waits)} ms`);
    assert.ok(new Set(waits).size > 20, 'waits vary across the range');
  });

  it('a steady stream under latency keeps only what waits: 100,000 messages, order kept, none lost', () => {
    const { peer, clock } = setUp({ latency: '10-30' });
    const client = peer();
    let slots = 0;
    for (let i = 0; i < 100_000; i++) {
      client.send(String(i));
      clock.advance(1);
      slots = Math.max(slots, (client.faults as FaultLine).slots);
    }
    assert.ok(slots < 1100, `at most ${slots} slots`);
    clock.advance(100);
    assert.equal(client.delivered.length, 100_000);
    assert.ok(client.delivered.every((d, i) => d.text === String(i)), 'in order');
  });

  it('a message drawn no wait still waits behind those held back before it', () => {
    const { peer, clock } = setUp({ latency: '0-40' });
    const client = peer();
    for (let i = 0; i < 200; i++) client.send(`m${i}`);
    clock.advance(50);
    assert.deepEqual(client.delivered.map((d) => d.text), Array.from({ length: 200 }, (_, i) => `m${i}`));
  });

  it('holds back no more than the client\'s queue cap: past it, a message is dropped as for a client too far behind', () => {
    // Each held message costs its bytes and 96 more (held.ts): room for ten of ten bytes.
    const { peer, clock } = setUp({ latency: 60_000 }, 7, 1060);
    const client = peer();
    for (let i = 0; i < 20; i++) client.send('0123456789');
    assert.equal(client.counters.dropped, 10);
    clock.advance(60_000);
    assert.equal(client.delivered.length, 10);
    client.send('0123456789');
    assert.equal(client.counters.dropped, 10, 'room again once they left');
  });

  it('a reply to a released message, held in turn, never arms a second timer', () => {
    const { peer, clock } = setUp({ latency: '50-200', direction: 'both' });
    const client = peer();
    client.echo = true;
    let most = 0;
    for (let i = 0; i < 2000; i++) {
      client.arrive(`m${i}`);
      clock.advance(10);
      most = Math.max(most, clock.pending);
    }
    clock.advance(1000);
    assert.ok(most <= 2, `at most ${most} timers pending`);
    assert.equal(client.delivered.filter((d) => d.kind === 'send').length, 2000);
  });

  it('what all clients hold back shares the server\'s budget', () => {
    const budget = new HeldBudget(1060);
    const { peer, clock } = setUp({ latency: 1000 }, 7, 1024 * 1024, 'message', budget);
    const [a, b] = [peer('a'), peer('b')];
    for (let i = 0; i < 6; i++) a.send('0123456789');
    for (let i = 0; i < 6; i++) b.send('0123456789');
    assert.deepEqual([a.counters.dropped, b.counters.dropped], [0, 2]);
    assert.equal(budget.used, 1060);
    clock.advance(1000);
    assert.equal(budget.used, 0, 'given back as they leave');
    b.send('0123456789');
    assert.equal(b.counters.dropped, 2);
  });

  it('a close by logic lets held messages go first, in order', () => {
    const { peer } = setUp({ latency: 1000 });
    const client = peer();
    client.send('a');
    client.send('b');
    client.close(1000, 'done');
    assert.deepEqual(client.delivered.map((d) => d.text), ['a', 'b']);
    assert.equal(client.ended, '1000 done');
  });

  it('a message the peer did not take (a client too far behind) is not one of the N', () => {
    const { peer } = setUp({ disconnect: { afterMessages: 3 } });
    const client = peer();
    client.refuse = 2;
    for (let i = 0; i < 10; i++) client.send(`m${i}`);
    assert.deepEqual(client.delivered.map((d) => d.text), ['m2', 'm3', 'm4']);
  });

  it('sends a share of messages twice, and corrupts a share so that their JSON does not parse', () => {
    const { peer, faults } = setUp({ duplicate: 1, corrupt: 0.5 });
    const client = peer();
    for (let i = 0; i < 200; i++) client.send(JSON.stringify({ n: i }));
    assert.equal(client.delivered.length, 400);
    const broken = client.delivered.filter((d) => {
      try {
        JSON.parse(d.text);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(broken.length, faults.view().injected.corrupt * 2);
    assert.ok(broken.length > 100 && broken.length < 300, `${broken.length} broken`);
    assert.equal(faults.view().injected.duplicate, 200);
  });

  it('corrupts inside an event\'s data, keeps an NDJSON line\'s newline, and never cuts a character in two', () => {
    const events = setUp({ corrupt: 1, corruptAs: 'truncate' }, 7, 1024 * 1024, 'event').peer();
    events.send('id: 1\nevent: price\ndata: {"price":101.5}\n\n');
    events.send(': a comment\n\n');
    const json = setUp({ corrupt: 1 }, 7, 1024 * 1024, 'event').peer();
    json.send('data: hello\n\n');
    const lines = setUp({ corrupt: 1 }, 7, 1024 * 1024, 'line').peer();
    lines.send('{"a":1}\n');
    const text = setUp({ corrupt: 1, corruptAs: 'truncate' }).peer();
    text.send('abcdefgh');
    text.send('ééé');
    assert.deepEqual(
      [...events.delivered, ...json.delivered, ...lines.delivered, ...text.delivered].map((d) => d.text),
      ['id: 1\nevent: price\ndata: {"price\n\n', ': a comment\n\n', 'data: hello{\n\n', '{"a":1{\n', 'abcd', 'é'],
    );
  });

  it('stalls after N messages for a while: nothing leaves meanwhile, heartbeats included, then messages flow again', () => {
    const { peer, clock, reports } = setUp({ stall: { afterMessages: 2, for: 500 } });
    const client = peer();
    client.send('a');
    client.send('b');
    client.send('lost');
    assert.equal(client.faults?.out('write', Buffer.alloc(0), false, undefined), true, 'a heartbeat is held in a stall');
    clock.advance(500);
    client.send('c');
    assert.equal(client.faults?.out('write', Buffer.alloc(0), false, undefined), false, 'heartbeats go on after it');
    assert.deepEqual(client.delivered.map((d) => d.text), ['a', 'b', 'c']);
    assert.deepEqual(reports, ['c1 stall out for 500 ms', 'c1 drop out 4 bytes, in a stall']);
  });

  it('a stall lasts a time drawn in its range', () => {
    const { peer, clock } = setUp({ stall: { afterMessages: 1, for: '100-300' } });
    const client = peer();
    client.send('a');
    clock.advance(99);
    client.send('lost');
    clock.advance(201);
    client.send('b');
    assert.deepEqual(client.delivered.map((d) => d.text), ['a', 'b']);
  });

  it('keeps nothing alive of a message that has left', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { peer, clock } = setUp({ latency: 10 });
    const client = peer();
    let message: Buffer | undefined = Buffer.from('x'.repeat(1000));
    const gone = new WeakRef(message);
    client.faults?.out('send', message, false, undefined);
    message = undefined;
    clock.advance(5);
    client.send('a second, still held when the first leaves');
    clock.advance(5);
    assert.equal(client.delivered.length, 1);
    // The queue is not empty, so its slots are not cut yet: the one that left must hold nothing.
    assert.ok((client.faults as FaultLine).slots > 1);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    assert.equal(gone.deref(), undefined, 'the message that left is still referenced');
  });

  it('touches messages in only when its direction says so', () => {
    const out = setUp({ drop: 1 }).peer();
    out.arrive('hello');
    assert.deepEqual(out.delivered.map((d) => d.text), ['hello']);
    const inbound = setUp({ drop: 1, direction: 'in' }).peer();
    inbound.arrive('hello');
    inbound.send('reply');
    assert.deepEqual(inbound.delivered.map((d) => d.text), ['reply']);
    const both = setUp({ drop: 1, direction: 'both' }).peer();
    both.arrive('hello');
    both.send('reply');
    assert.deepEqual(both.delivered, []);
  });

  it('the same seed gives the same faults to the same clients; another seed, others', () => {
    const run = (seed: number): string[] => {
      const { peer, clock } = setUp({ drop: 0.2, latency: '0-100', duplicate: 0.1, clients: 0.5 }, seed);
      const clients = [peer('a'), peer('b'), peer('c'), peer('d')];
      for (let i = 0; i < 50; i++) for (const client of clients) client.send(`${client.id}${i}`);
      clock.advance(200);
      return clients.map((client) => client.delivered.map((d) => `${d.at}:${d.text}`).join(','));
    };
    assert.deepEqual(run(42), run(42));
    assert.notDeepEqual(run(42), run(43));
  });

  it('keeps to one client, or to the clients of one test scope, when told', () => {
    const one = setUp({ drop: 1, client: 'b' });
    assert.deepEqual(['a', 'b', 'c'].map((id) => one.peer(id).faults !== undefined), [false, true, false]);
    assert.equal(one.faults.view().text, 'drop 100% (client b only)');
    const scoped = setUp({ drop: 1, scope: 't1' });
    assert.deepEqual(['t1-a', 'x', 't1-b'].map((id) => scoped.peer(id).faults !== undefined), [true, false, true]);
  });

  it('applies to a share of clients, drawn once per client', () => {
    const { peer, faults } = setUp({ drop: 1, clients: 0.3 });
    const clients = Array.from({ length: 1000 }, (_, i) => peer(`c${i}`));
    const faulted = clients.filter((client) => client.faults !== undefined).length;
    assert.ok(faulted > 240 && faulted < 360, `${faulted} of 1,000 clients`);
    assert.equal(faults.view().clients, faulted);
  });

  it('switched off, lets held messages go at once and touches nothing more; switched on, reaches connected clients', () => {
    const { peer, clock, faults } = setUp({ latency: 1000 });
    const client = peer();
    client.send('held');
    faults.set(undefined);
    assert.deepEqual(client.delivered, [{ at: 0, kind: 'send', text: 'held' }]);
    assert.equal(client.faults, undefined);
    assert.equal(faults.view().text, 'off');
    faults.set(faultProfileSchema.parse({ drop: 1 }));
    client.send('gone');
    clock.advance(2000);
    assert.equal(client.delivered.length, 1);
    assert.equal(faults.view().text, 'drop 100%');
  });

  it('a client that leaves takes its held messages and timers with it', () => {
    const { peer, clock, faults } = setUp({ latency: 100, disconnect: { after: 500 } });
    const client = peer();
    client.send('held');
    faults.detach(client);
    clock.advance(1000);
    assert.deepEqual(client.delivered, []);
    assert.equal(client.ended, undefined);
    assert.equal(clock.pending, 0);
  });
});

/** How many copies of a message sent at `at` (ms on the clock) reached the client, `settle` ms later. */
function sentAt(client: FakePeer, clock: ManualClock, at: number, settle = 0): number {
  clock.advance(at - clock.now());
  const before = client.delivered.length;
  client.send(`t${at}`);
  clock.advance(settle);
  return client.delivered.length - before;
}

describe('fault timeline', () => {
  it('a phase replaces the profile from its start for its length, again every period; the profile around it between', () => {
    const { peer, clock, faults } = setUp({ latency: 5, timeline: [{ at: 100, for: 50, every: 200, drop: 1 }] });
    faults.start();
    const client = peer();
    const sent = (at: number): boolean => sentAt(client, clock, at, 5) > 0;
    // Around the timeline: held 5 ms, delivered. In each phase (100-150, 300-350, ...): lost.
    assert.deepEqual([sent(50), sent(120), sent(200), sent(310), sent(360), sent(540)], [true, false, true, false, true, false]);
    assert.match(faults.view().text, /^drop 100% \(timeline of 1 phase\(s\); phase at 100 ms on\)$/);
    faults.stop();
    assert.equal(clock.pending, 0, 'no timer left once stopped');
  });

  it('where phases overlap, the one begun last applies until it ends, then the one before it', () => {
    const { peer, clock, faults } = setUp({ timeline: [{ at: 0, for: 300, duplicate: 1 }, { at: 100, for: 100, drop: 1 }] });
    faults.start();
    const client = peer();
    const copies = (at: number): number => sentAt(client, clock, at);
    assert.deepEqual([copies(50), copies(150), copies(250), copies(350)], [2, 0, 2, 1]);
  });

  it('refuses new connections while a phase with refuse is on, each refusal counted', () => {
    const { clock, faults } = setUp({ timeline: [{ at: 1000, for: 3000, refuse: { status: 429, retryAfter: 3 } }] });
    faults.start();
    assert.equal(faults.door(), undefined);
    clock.advance(1000);
    assert.deepEqual(faults.door(), { status: 429, retryAfter: 3, reset: false });
    clock.advance(3000);
    assert.equal(faults.door(), undefined);
    assert.equal(faults.view().injected.refuse, 1);
  });

  it('a profile put at run time starts its timeline then', () => {
    const { clock, faults } = setUp({});
    faults.start();
    clock.advance(10_000);
    faults.set(faultProfileSchema.parse({ timeline: [{ at: 100, for: 100, refuse: {} }] }));
    clock.advance(99);
    assert.equal(faults.door(), undefined);
    clock.advance(1);
    assert.equal(faults.door()?.status, 503);
  });
});

describe('fault profile', () => {
  it('reads as one line', () => {
    const text = (profile: FaultProfileInput): string => {
      const { faults } = setUp(profile);
      return faults.view().text;
    };
    assert.equal(text({ latency: '50-200', drop: 0.1, disconnect: { afterMessages: 20 } }), 'latency 50-200 ms, drop 10%, disconnect after 20 message(s) (1001)');
    assert.equal(text({ stall: { after: 1000, for: '100-300' }, direction: 'both', clients: 0.25 }), 'stall after 1000 ms for 100-300 ms (messages in and out, 25% of clients)');
  });

  it('refuses what cannot work, saying why', () => {
    const problems = (profile: unknown): string[] => {
      const parsed = faultProfileSchema.safeParse(profile);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    assert.match(problems({ disconnect: {} }).join(), /disconnect: say when/);
    assert.match(problems({ disconnect: { after: 10, abrupt: true, code: 4000 } }).join(), /abrupt disconnect sends no close frame/);
    assert.match(problems({ disconnect: { afterMessages: 1, code: 1006 } }).join(), /close code a server may send/);
    assert.match(problems({ drop: 1.5 }).join(), /drop/);
    // Past 2^31 - 1 ms, Node would fire a timer at once: refused rather than cut at once.
    assert.match(problems({ disconnect: { after: 2_592_000_000 } }).join(), /disconnect.after/);
    assert.match(problems({ stall: { afterMessages: 1, for: '1-2592000000' } }).join(), /stall.for/);
    assert.match(problems({ lag: 5 }).join(), /lag/);
    assert.match(problems({ timeline: [{ at: 0, for: 100, every: 50 }] }).join(), /repeated every 50 ms cannot last 100 ms/);
    assert.match(problems({ timeline: [{ at: 0, for: 100, disconnect: { after: 0, abrupt: true, code: 4000 } }] }).join(), /abrupt disconnect/);
    assert.match(problems({ refuse: { status: 500 } }).join(), /refuse.status/);
  });
});
