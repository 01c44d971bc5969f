import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pointerKeys, readPath, writePath } from '../../src/util/path.ts';

describe('JSON pointers', () => {
  it('decode ~1 and ~0 (RFC 6901) and read own properties only', () => {
    assert.deepEqual(pointerKeys('/a~1b/c~0d/0'), ['a/b', 'c~d', '0']);
    assert.deepEqual(pointerKeys(''), []);
    const value = { 'a/b': { 'c~d': [42] } };
    assert.equal(readPath(value, pointerKeys('/a~1b/c~0d/0')), 42);
    assert.equal(readPath(value, ['constructor']), undefined);
    assert.equal(readPath(value, ['a/b', 'missing', 'x']), undefined);
  });

  it('write, creating objects on the way', () => {
    const target: Record<string, unknown> = { keep: 1 };
    writePath(target, pointerKeys('/meta/inReplyTo'), 'co-1');
    assert.deepEqual(target, { keep: 1, meta: { inReplyTo: 'co-1' } });
  });
});
