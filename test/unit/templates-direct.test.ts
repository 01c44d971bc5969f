/**
 * Templates made only of paths, literals and helper calls are evaluated without the Handlebars runtime
 * (src/templates/direct.ts). This suite renders each such template both ways, with identically seeded
 * services, and requires the same output: the fast path must not change what a template means.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Handlebars from 'handlebars';
import { compileDirect } from '../../src/templates/direct.ts';
import { HELPERS, type FrameData } from '../../src/templates/helpers.ts';
import { compileTemplate, createTemplateServices, type RenderContext } from '../../src/templates/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';

const services = () => createTemplateServices(new ManualClock(Date.UTC(2024, 4, 6, 7, 8, 9, 10)), createRandom(7), 7);

function viaHandlebars(text: string): (context: RenderContext, s: ReturnType<typeof services>) => string {
  const env = Handlebars.create();
  for (const [name, fn] of Object.entries(HELPERS)) env.registerHelper(name, fn as Handlebars.HelperDelegate);
  const template = env.compile(text, { noEscape: true });
  const state = new Map<string, unknown>();
  return (context, s) => template(context, { data: { services: s, state, clientId: context.client?.id } satisfies FrameData });
}

const context: RenderContext = {
  message: { name: 'ann', qty: 4, text: 'hello', items: [1, 2, 3], nested: { deep: { value: 'x' } }, none: null },
  client: { id: 'c1', connectedAt: '2024-05-06T07:08:09.010Z', query: { room: 'a' } },
};

const TEMPLATES = [
  'Hello {{message.name}}!',
  '{{message.items.length}} items, {{message.text.length}} letters',
  '{{message.nested.deep.value}}/{{message.missing.path}}/{{message.none}}',
  '{{add 1 message.qty}} {{subtract 10 message.qty}} {{round (multiply message.qty 1.55) 1}}',
  '{{json message.items}} {{json message.nested}}',
  '{{int 1 100}}-{{int 1 100}}-{{float 1 2 precision=3}}',
  '[{{uuid}}] [{{uuid}}]',
  '{{now}} {{now "YYYY-MM-DD HH:mm:ss.SSS"}} {{now "epoch"}} {{now "unix"}}',
  '{{counter}} {{counter}} {{counter scope="client"}} {{counter scope="global" name="n"}}',
  '{{seq "a" "b" "c"}}{{seq "x" "y"}}',
  '{{walk 100 1}} {{walk 5 0.5 min=4 max=6}}',
  '{{eq message.name "ann"}} {{gt message.qty 3}} {{not message.none}} {{and true message.qty}}',
  '{{pick "a" "b" "c"}} {{bool}}',
  'a {{! a comment }} b',
  '{{client.id}} {{client.query.room}}',
];

describe('direct template evaluation', () => {
  for (const text of TEMPLATES) {
    it(`renders ${JSON.stringify(text)} as Handlebars does, without its runtime`, () => {
      const mine = compileTemplate(text);
      assert.equal(mine.direct, true, 'the direct evaluator took it');
      const theirs = viaHandlebars(text);
      const a = services();
      const b = services();
      for (let i = 0; i < 3; i++) assert.equal(mine(context, a), theirs(context, b));
    });
  }

  it('leaves blocks, @data and parent paths to Handlebars', () => {
    for (const text of ['{{#if message.name}}yes{{/if}}', '{{#each message.items}}{{@index}}{{/each}}', '{{../message}}']) {
      const ast = Handlebars.parse(text) as unknown as { body: { type: string }[] };
      assert.equal(compileDirect(ast.body, false), undefined, text);
    }
    const block = compileTemplate('{{#each message.items}}{{this}},{{/each}}');
    assert.equal(block.direct, false);
    assert.equal(block(context, services()), '1,2,3,');
  });

  it('never reads inherited properties', () => {
    assert.equal(compileTemplate('{{message.constructor}}|{{message.__proto__}}|{{message.toString}}')(context, services()), '||');
  });
});
