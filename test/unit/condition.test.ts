import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkConfig } from '../../src/config/validate.ts';
import { compileCondition, conditionProblem, createTemplateServices } from '../../src/templates/index.ts';
import { toFiltrex } from '../../src/templates/condition.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';

const services = createTemplateServices(new ManualClock(), createRandom(1), 1);
const context = { data: { price: 120, symbol: 'AAPL', tags: { region: 'eu' }, flag: false }, params: { symbol: 'AAPL', min: 100 }, client: { id: 'c1', connectedAt: '', query: {} } };
const holds = (condition: string, ctx: object = context): boolean => Boolean(compileCondition(condition)(ctx, services));

describe('stream conditions', () => {
  it('read expressions as the guide\'s users write them', () => {
    for (const [condition, expected] of [
      ['price > 100', true],
      ['price > 200', false],
      ["data.price > 100 && data.symbol == 'AAPL'", true],
      ['data.price > 100 and data.symbol == "MSFT"', false],
      ['symbol == params.symbol && price >= params.min', true],
      ["price < 100 || symbol === 'AAPL'", true],
      ['!(price > 100)', false],
      ['!flag', true],
      ['tags.region == "eu"', true],
      ["client.id != 'c2'", true],
      ['price * 2 - 40 == 200', true],
      ['symbol in ("AAPL", "MSFT")', true],
      ['price > 100 && true', true],
      ['price > 100 && false', false],
    ] as const) {
      assert.equal(holds(condition), expected, condition);
    }
  });

  it('keep the helper form, and read true, false and always as constants', () => {
    assert.equal(holds('gt data.price 50'), true);
    assert.equal(holds('eq data.symbol params.symbol'), true);
    assert.equal(holds('{{lt data.price 50}}'), false);
    assert.equal(holds('true'), true);
    assert.equal(holds('always'), true);
    assert.equal(holds('false'), false);
  });

  it('a missing field, a wrong type or an inherited name is false, never an error', () => {
    assert.equal(holds('missing > 1'), false);
    assert.equal(holds('symbol > 1'), false);
    assert.equal(holds('constructor'), false);
    assert.equal(holds('data.constructor'), false);
  });

  it('a bad expression is refused at load with where it went wrong', () => {
    assert.match(conditionProblem('price > 100 &&') ?? '', /not an expression mockwave can read \(read as "price > 100 {2}and "\): .*price > 100 +and/);
    assert.match(conditionProblem('price >') ?? '', /-\^/);
    assert.equal(conditionProblem('price > 100'), undefined);
    const checked = checkConfig({ endpoints: [{ path: '/ws', streams: [{ name: 's', data: 1, condition: 'price >' }] }] });
    assert.ok(!checked.ok && checked.problems.some((p) => p.startsWith('endpoints[0].streams[0].condition: not an expression')), JSON.stringify(checked));
  });

  it('spells && || ! === and single quotes the way filtrex reads them, leaving strings alone', () => {
    assert.equal(toFiltrex("a && !b || c === 'x && y'"), 'a  and   not b  or  c == "x && y"');
    assert.equal(toFiltrex('a !== "it\'s"'), 'a != "it\'s"');
  });
});
