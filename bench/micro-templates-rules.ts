/**
 * Micro-benchmark: rendering a templated stream tick, and matching a message against 100 rules. Each figure
 * sits beside a baseline doing the bare minimum of the same job in the same run (JSON.stringify of a fixed
 * payload; one JSON.parse), since absolute numbers move from machine to machine.
 *
 *   npm run bench:micro            (writes bench/results/micro-templates-rules.json)
 */
import { MemoryStateStore } from '../src/state/memory.ts';
import { writeFileSync } from 'node:fs';
import { RuleEngine, ruleSchema, type RuleHost } from '../src/rules/index.ts';
import { Message } from '../src/util/message.ts';
import { newCounters, NO_OBSERVERS, type Peer } from '../src/hub/peer.ts';
import { compileTemplate, createTemplateServices } from '../src/templates/index.ts';
import { systemClock } from '../src/util/clock.ts';
import { createRandom } from '../src/util/random.ts';

function measure(name: string, fn: () => void, minMs = 1000): { name: string; opsPerSec: number; nsPerOp: number } {
  for (let i = 0; i < 10_000; i++) fn(); // warm up the JIT
  let ops = 0;
  const start = process.hrtime.bigint();
  const until = start + BigInt(minMs) * 1_000_000n;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    now = process.hrtime.bigint();
  }
  const ns = Number(now - start) / ops;
  return { name, opsPerSec: Math.round(1e9 / ns), nsPerOp: Math.round(ns) };
}

const random = createRandom(1);
const services = createTemplateServices(systemClock, random, 1);
const quote = { type: 'quote', symbol: "{{pick 'AAPL' 'MSFT' 'GOOG'}}", price: '{{walk 100 0.5 min=1}}', at: '{{now}}' };
const render = compileTemplate(quote);
const fixed = { type: 'quote', symbol: 'AAPL', price: 100.5, at: '2024-01-01T00:00:00.000Z' };
const faker = compileTemplate({ user: "{{faker 'person.fullName'}}", email: "{{faker 'internet.email'}}", amount: "{{faker 'finance.amount' min=5 max=50}}" });

const rules = Array.from({ length: 100 }, (_, i) => ruleSchema.parse({ when: { type: 'order', side: 'buy', account: `acct-${i}` }, then: [{ reply: { type: 'ack', n: i } }] }));
const engine = new RuleEngine(rules);
const sink: string[] = [];
const peer: Peer = { id: 'c', endpoint: '/', url: '/', remoteAddress: '', compressed: false, connectedAt: 0, counters: newCounters(), observers: NO_OBSERVERS, closed: false, send: (t) => void (sink.length > 100 ? (sink.length = 0) : sink.push(String(t))), offer: () => true, sendData: () => undefined, relay: () => undefined, bufferedAmount: 0, pause: () => undefined, resume: () => undefined, close: () => undefined, terminate: () => undefined };
const state = new MemoryStateStore();
state.change('global', { set: { loggedIn: true } }, 'bench');
const host: RuleHost = { random, templates: services, state, refuse: () => undefined, stateScopes: () => ['global'], schedule: () => undefined, publish: () => undefined, log: () => undefined, onError: (_p, e) => { throw e; } };
// One rule, replying; the same rule gated by state (an object condition, an expression): what `state:` costs.
const oneRule = (extra: Record<string, unknown>) => new RuleEngine([ruleSchema.parse({ when: { type: 'order' }, ...extra, then: [{ reply: { type: 'ack', id: '{{message.id}}' } }] })]);
const [ungated, gatedObject, gatedExpression] = [oneRule({}), oneRule({ state: { loggedIn: true } }), oneRule({ state: 'loggedIn == true' })];
const order = Buffer.from(JSON.stringify({ type: 'order', id: 7 }));
const last = Buffer.from(JSON.stringify({ type: 'order', side: 'buy', account: 'acct-99', qty: 5 }));
const none = Buffer.from(JSON.stringify({ type: 'order', side: 'sell', account: 'acct-7', qty: 5 }));

const results = [
  measure('baseline: JSON.stringify a fixed quote', () => void JSON.stringify(fixed)),
  measure('render the templated quote (pick, walk, now) + stringify', () => void JSON.stringify(render({}, services))),
  measure('render a faker payload (name, email, amount) + stringify', () => void JSON.stringify(faker({}, services))),
  measure('baseline: JSON.parse a message', () => void JSON.parse(last.toString())),
  measure('match 100 rules, hit on the last, reply rendered', () => {
    const m = new Message(last, false);
    engine.handle(peer, m, { message: m.value }, host);
  }),
  measure('one rule, reply rendered (rules: ungated)', () => {
    const m = new Message(order, false);
    ungated.handle(peer, m, { message: m.value }, host);
  }),
  measure('one rule gated by state { loggedIn: true }, reply rendered (rules)', () => {
    const m = new Message(order, false);
    gatedObject.handle(peer, m, { message: m.value }, host);
  }),
  measure('one rule gated by state "loggedIn == true", reply rendered (rules)', () => {
    const m = new Message(order, false);
    gatedExpression.handle(peer, m, { message: m.value }, host);
  }),
  measure('match 100 rules, no hit', () => {
    const m = new Message(none, false);
    engine.handle(peer, m, { message: m.value }, host);
  }),
];

const base = (name: string) => results.find((r) => r.name.startsWith(name))!.nsPerOp;
const rows = results.map((r) => ({ ...r, vsBaseline: Math.round((r.nsPerOp / (r.name.includes('rules') || r.name.includes('parse') ? base('baseline: JSON.parse') : base('baseline: JSON.stringify'))) * 10) / 10 }));
console.log(`node ${process.version}, ${process.arch}`);
console.log('| work | ops/s | ns/op | x baseline |\n|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.name} | ${r.opsPerSec.toLocaleString('en')} | ${r.nsPerOp.toLocaleString('en')} | ${r.vsBaseline} |`);
writeFileSync(new URL('./results/micro-templates-rules.json', import.meta.url), `${JSON.stringify({ node: process.version, date: new Date().toISOString(), results: rows }, null, 2)}\n`);
