/**
 * How a recording stores a body or a frame (recording/payload.ts) and decodes a compressed answer no further
 * than it keeps (recording/bounded-decode.ts), function by function: which form each kind of bytes takes, the
 * JSON text a line is written as, what a reader gets back, and where a decoded body is cut.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeBounded } from '../../src/recording/bounded-decode.ts';
import { bytesPayload, isText, objectWith, storedText, textPayload } from '../../src/recording/payload.ts';

const noMask = (): boolean => false;

describe('the form a payload is stored in', () => {
  it('text is UTF-8 without control characters other than tab, LF and CR', () => {
    assert.equal(isText(Buffer.from('a\tb\nc\r\né')), true);
    for (const control of [0x00, 0x08, 0x0b, 0x0c, 0x0e, 0x1f]) assert.equal(isText(Buffer.from([0x61, control])), false, `0x${control.toString(16)}`);
    assert.equal(isText(Buffer.from([0x20, 0x7f])), true, 'DEL is not a C0 control');
    assert.equal(isText(Buffer.from([0xff, 0xfe])), false, 'not UTF-8');
  });

  it('compact JSON is stored as itself; JSON that writes back otherwise, and other text, as text', () => {
    assert.deepEqual(textPayload('{"a":1}', noMask), { form: 'json', raw: '{"a":1}' });
    assert.deepEqual(textPayload('["x"]', noMask), { form: 'json', raw: '["x"]' });
    assert.deepEqual(textPayload('"s"', noMask), { form: 'json', raw: '"s"' });
    assert.deepEqual(textPayload('{ "a": 1 }', noMask), { form: 'text', text: '{ "a": 1 }' });
    assert.deepEqual(textPayload('{"a":1.0}', noMask), { form: 'text', text: '{"a":1.0}' });
    assert.deepEqual(textPayload('{"a":', noMask), { form: 'text', text: '{"a":' }, 'not JSON');
    assert.deepEqual(textPayload('42', noMask), { form: 'text', text: '42' }, 'a bare number stays text');
    assert.deepEqual(textPayload('hello', noMask), { form: 'text', text: 'hello' });
    assert.deepEqual(textPayload('  {"a":1}', noMask), { form: 'text', text: '  {"a":1}' }, 'leading space: JSON, but not written back the same');
  });

  it('masked JSON is written anew, compact; text with control characters is base64', () => {
    const mask = (value: unknown): boolean => {
      (value as Record<string, unknown>)['password'] = '***';
      return true;
    };
    assert.deepEqual(textPayload('{ "password": "p" }', mask), { form: 'json', raw: '{"password":"***"}' });
    assert.deepEqual(textPayload('\n  {"password":"p"}', mask), { form: 'json', raw: '{"password":"***"}' }, 'JSON after white space is masked too');
    assert.deepEqual(textPayload('a\u0000b', noMask), { form: 'base64', base64: Buffer.from('a\u0000b').toString('base64') });
  });

  it('bytes that are not UTF-8 are base64; UTF-8 bytes are stored as their text', () => {
    assert.deepEqual(bytesPayload(Buffer.from([0xff, 0x00]), noMask), { form: 'base64', base64: '/wA=' });
    assert.deepEqual(bytesPayload(Buffer.from('{"a":1}'), noMask), { form: 'json', raw: '{"a":1}' });
    assert.deepEqual(bytesPayload(Buffer.from('é'), noMask), { form: 'text', text: 'é' });
  });
});

describe('a line with its payload, and what a reader gets back', () => {
  it('JSON is spliced in as "json"; text and base64 under the key, base64 marked', () => {
    assert.equal(objectWith({ t: 1 }, { form: 'json', raw: '{"a":1}' }, 'body'), '{"t":1,"json":{"a":1}}');
    assert.equal(objectWith({ t: 1 }, { form: 'text', text: 'say "hi"' }, 'data'), '{"t":1,"data":"say \\"hi\\""}');
    assert.equal(objectWith({ t: 1 }, { form: 'base64', base64: '/wA=' }, 'body'), '{"t":1,"body":"/wA=","encoding":"base64"}');
    assert.equal(objectWith({}, { form: 'text', text: 'x' }, 'body'), '{"body":"x"}', 'no comma after an empty head');
    for (const line of [objectWith({ t: 1 }, { form: 'json', raw: '[1]' }, 'body'), objectWith({}, { form: 'base64', base64: 'AA==' }, 'data')]) JSON.parse(line);
  });

  it('a stored JSON value comes back as its text; base64 is decoded only when asked; other shapes are undefined', () => {
    assert.equal(storedText({ json: { a: [1, 'x'] } }, 'body', false), '{"a":[1,"x"]}');
    assert.equal(storedText({ json: null }, 'body', false), 'null');
    assert.equal(storedText({ body: 'plain' }, 'body', true), 'plain');
    assert.equal(storedText({ data: 'aGk=', encoding: 'base64' }, 'data', true), 'hi');
    assert.equal(storedText({ data: 'aGk=', encoding: 'base64' }, 'data', false), 'aGk=');
    assert.equal(storedText({ data: 'aGk=' }, 'data', true), 'aGk=', 'not marked base64: as it is');
    assert.equal(storedText({ body: 'x' }, 'data', true), undefined, 'another key');
    assert.equal(storedText({ body: 3 }, 'body', true), undefined);
  });
});

describe('decoding a compressed answer, never past what is kept', () => {
  const text = Buffer.from('abcdefghij'.repeat(100));

  it('gzip, x-gzip, deflate and br decode whole when within the limit (names read without case or spaces)', async () => {
    for (const [encoding, body] of [['gzip', gzipSync(text)], ['x-gzip', gzipSync(text)], [' GZip ', gzipSync(text)], ['deflate', deflateSync(text)], ['br', brotliCompressSync(text)]] as const) {
      const decoded = await decodeBounded(body, encoding, text.length);
      assert.ok(decoded !== undefined, encoding);
      assert.deepEqual([decoded.bytes.toString(), decoded.cut], [text.toString(), false], encoding);
    }
  });

  it('past the limit the decoded body is cut at exactly the limit and marked', async () => {
    const decoded = await decodeBounded(gzipSync(text), 'gzip', 999);
    assert.deepEqual([decoded?.bytes.length, decoded?.bytes.toString(), decoded?.cut], [999, text.subarray(0, 999).toString(), true]);
    const big = Buffer.alloc(1 << 20, 0x61);
    const bomb = await decodeBounded(gzipSync(big), 'gzip', 70_000);
    assert.deepEqual([bomb?.bytes.length, bomb?.cut], [70_000, true], 'cut inside a later chunk');
  });

  it('a body not encoded is kept up to the limit; an unknown encoding or corrupt data is undefined', async () => {
    assert.deepEqual(await decodeBounded(text, undefined, 2000), { bytes: text, cut: false });
    const identity = await decodeBounded(text, 'identity', 10);
    assert.deepEqual([identity?.bytes.toString(), identity?.cut], ['abcdefghij', true]);
    assert.deepEqual(await decodeBounded(text, 'identity', 1000).then((d) => d?.cut), false, 'exactly the limit: not cut');
    assert.equal(await decodeBounded(text, 'compress', 2000), undefined);
    assert.equal(await decodeBounded(brotliCompressSync(text), 'zstd', 2000), undefined, 'an unknown name is not guessed at, even over bytes one decoder would take');
    assert.equal(await decodeBounded(Buffer.from('not gzip'), 'gzip', 2000), undefined);
  });
});
