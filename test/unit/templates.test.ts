import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTemplates, compileTemplate, createTemplateServices, type RenderContext } from '../../src/templates/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';

function services(seed = 1) {
  const clock = new ManualClock(Date.UTC(2024, 4, 6, 7, 8, 9, 10));
  return createTemplateServices(clock, createRandom(seed), seed);
}

function render(value: unknown, context: RenderContext = {}, s = services()): unknown {
  return compileTemplate(value)(context, s);
}

function many(value: unknown, n: number, context: RenderContext = {}): unknown[] {
  const s = services();
  const t = compileTemplate(value);
  return Array.from({ length: n }, () => t(context, s));
}

describe('templates', () => {
  it('leave values without {{ }} untouched, and mark them constant', () => {
    const value = { a: [1, 'two', { three: null }], b: true };
    const t = compileTemplate(value);
    assert.equal(t.constant, true);
    assert.equal(t({}, services()), value);
  });

  it('a string that is one expression keeps its type; anything else is a string', () => {
    assert.equal(render('{{add 1 2}}'), 3);
    assert.equal(render(' {{add 1 2}} '), 3);
    assert.equal(render('n={{add 1 2}}'), 'n=3');
    assert.equal(render('{{message.qty}}', { message: { qty: 7 } }), 7);
    assert.deepEqual(render('{{message.items}}', { message: { items: [1, 2] } }), [1, 2]);
    assert.equal(render('{{message.missing}}', { message: {} }), undefined);
    assert.equal(render('{{gt 2 1}}'), true);
    assert.equal(render('<{{message.html}}>', { message: { html: '<b>&' } }), '<<b>&>', 'no HTML escaping');
  });

  it('render nested objects and arrays, with message, client and previous in scope', () => {
    const out = render({ list: ['{{message.a}}', 'x'], who: '{{client.id}} via {{client.query.room}}', prev: '{{previous.n}}' }, { message: { a: 1 }, client: { id: 'c1', connectedAt: 'now', query: { room: 'r' } }, previous: { n: 5 } });
    assert.deepEqual(out, { list: [1, 'x'], who: 'c1 via r', prev: 5 });
  });

  it('faker: any method by path, with positional or named arguments', () => {
    const amount = Number(render("{{faker 'finance.amount' min=5 max=50}}"));
    assert.ok(amount >= 5 && amount <= 50);
    assert.match(String(render("{{faker 'internet.email'}}")), /@/);
    assert.equal(typeof render("{{faker 'number.int' 10}}"), 'number');
    assert.throws(() => render("{{faker 'no.such'}}"), /faker: no method no\.such/);
  });

  it('uuid, now (iso, epoch, unix, pattern), int, float with precision, pick, bool', () => {
    assert.match(String(render('{{uuid}}')), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(render('{{now}}'), '2024-05-06T07:08:09.010Z');
    assert.equal(render("{{now 'epoch'}}"), Date.UTC(2024, 4, 6, 7, 8, 9, 10));
    assert.equal(render("{{now 'unix'}}"), Math.floor(Date.UTC(2024, 4, 6, 7, 8, 9) / 1000));
    assert.equal(render("{{now 'YYYY-MM-DD HH:mm:ss.SSS'}}"), '2024-05-06 07:08:09.010');
    for (const v of many('{{int 3 5}}', 200)) assert.ok(Number.isInteger(v) && (v as number) >= 3 && (v as number) <= 5);
    assert.deepEqual(new Set(many('{{int 3 5}}', 200)), new Set([3, 4, 5]));
    for (const v of many('{{float 99 101 precision=2}}', 200)) assert.ok((v as number) >= 99 && (v as number) <= 101 && Math.round((v as number) * 100) === (v as number) * 100);
    assert.deepEqual(new Set(many("{{pick 'a' 'b'}}", 100)), new Set(['a', 'b']));
    assert.deepEqual(new Set(many('{{pick message.list}}', 100, { message: { list: [1, 2] } })), new Set([1, 2]));
    const trues = many('{{bool 0.2}}', 2000).filter(Boolean).length;
    assert.ok(trues > 300 && trues < 500, `bool 0.2 gave ${trues}/2000`);
  });

  it('counter per stream, per client and global', () => {
    assert.deepEqual(many('{{counter}}', 3), [1, 2, 3]);
    assert.deepEqual(many('{{counter start=10 step=5}}', 3), [10, 15, 20]);
    const s = services();
    const t = compileTemplate('{{counter scope="client"}}');
    const a = { client: { id: 'a', connectedAt: '', query: {} } };
    const b = { client: { id: 'b', connectedAt: '', query: {} } };
    assert.deepEqual([t(a, s), t(a, s), t(b, s), t(a, s)], [1, 2, 1, 3]);
    const g1 = compileTemplate("{{counter scope='global' name='orders'}}");
    const g2 = compileTemplate("{{counter scope='global' name='orders'}}");
    assert.deepEqual([g1({}, s), g2({}, s), g1({}, s)], [1, 2, 3], 'global counters are shared across templates');
  });

  it('walk keeps its state between renders and stays in bounds; seq cycles', () => {
    const walk = many('{{walk 100 0.5 min=99.5 max=100.5}}', 500) as number[];
    assert.equal(walk[0], 100);
    for (let i = 1; i < walk.length; i++) {
      assert.ok(Math.abs(walk[i]! - walk[i - 1]!) <= 0.5 + 0.01);
      assert.ok(walk[i]! >= 99.5 && walk[i]! <= 100.5);
    }
    assert.ok(new Set(walk).size > 20, 'it moves');
    assert.deepEqual(many("{{seq 'a' 'b' 'c'}}", 5), ['a', 'b', 'c', 'a', 'b']);
  });

  it('arithmetic and comparison helpers', () => {
    assert.deepEqual(
      render({ add: '{{add 1 2 3}}', sub: '{{subtract 5 2}}', mul: '{{multiply 2 3 4}}', div: '{{divide 7 2}}', mod: '{{mod 7 3}}', round: '{{round 3.14159 2}}', min: '{{min 3 1 2}}', max: '{{max 3 1 2}}', num: '{{add message.n 1}}' }, { message: { n: '41' } }),
      { add: 6, sub: 3, mul: 24, div: 3.5, mod: 1, round: 3.14, min: 1, max: 3, num: 42 },
    );
    assert.deepEqual(
      render({ eq: '{{eq 1 1}}', ne: '{{ne 1 1}}', lt: '{{lt 1 2}}', lte: '{{lte 2 2}}', gt: '{{gt 1 2}}', gte: '{{gte 2 2}}', and: '{{and true false}}', or: '{{or false true}}', not: '{{not false}}' }),
      { eq: true, ne: false, lt: true, lte: true, gt: false, gte: true, and: false, or: true, not: true },
    );
    assert.equal(render('{{#if (gt message.qty 5)}}big{{else}}small{{/if}}', { message: { qty: 9 } }), 'big');
    assert.equal(render('{{json message}}', { message: { a: [1] } }), '{"a":[1]}');
    assert.throws(() => render("{{add 1 'x'}}"), /add: expected a number, got "x"/);
  });

  it('a seed makes every helper reproducible', () => {
    const value = { u: '{{uuid}}', i: '{{int 0 1000000}}', f: '{{float 0 1 precision=6}}', p: "{{pick 'a' 'b' 'c' 'd'}}", w: '{{walk 0 10}}', n: "{{faker 'person.fullName'}}" };
    const run = (seed: number) => {
      const s = services(seed);
      const t = compileTemplate(value);
      return [t({}, s), t({}, s), t({}, s)];
    };
    assert.deepEqual(run(5), run(5));
    assert.notDeepEqual(run(5), run(6));
  });

  it('unknown helpers and variables and syntax errors are found at load, each with its path', () => {
    const problems = checkTemplates({ a: '{{nope 1}}', b: ['ok {{foo.bar}}'], c: '{{#each message.items}}{{name}}{{/each}}', d: '{{ unclosed', e: '{{message.x}} {{client.id}} {{previous}} {{params.s}}' });
    assert.deepEqual(problems.map((p) => p.path), [['a'], ['b', 0], ['d']]);
    assert.match(problems[0]!.message, /^unknown helper "nope" \(helpers: faker, uuid, now/);
    assert.match(problems[1]!.message, /^unknown helper or variable "foo" \(variables: message, messageText, messageBase64, client, previous, params, data, request, state;/);
    assert.match(problems[2]!.message, /^template syntax: Parse error on line 1/);
    assert.throws(() => compileTemplate({ x: '{{nope}}' }), /x: unknown helper or variable "nope"/);
  });
});
