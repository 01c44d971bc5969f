import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closest, didYouMean, editDistance } from '../../src/errors/closest.ts';

describe('did you mean', () => {
  it('counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('stauts', 'status'), 1);
    assert.equal(editDistance('prot', 'port'), 1);
    assert.equal(editDistance('kitten', 'sitting'), 3);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('abc', 'abc'), 0);
  });

  it('suggests the closest known word within a third of its length, case aside', () => {
    assert.equal(closest('stauts', ['body', 'status', 'headers']), 'status');
    assert.equal(closest('Status', ['status']), 'status');
    assert.equal(closest('prot', ['host', 'port']), 'port', 'a swap beats a replacement');
    assert.equal(closest('zzzz', ['port', 'host']), undefined);
    assert.equal(closest('ab', ['xy']), undefined);
    assert.equal(didYouMean('intervl', ['interval']), ' (did you mean "interval"?)');
    assert.equal(didYouMean('prot', ['port'], (name) => `--${name}`), ' (did you mean --port?)');
    assert.equal(didYouMean('zzzz', ['port']), '');
  });
});
