/**
 * Two small writers that generated output depends on: the Server-Sent Events text (src/util/sse.ts), where a
 * line break in a value must never end a field early, and literal templates (src/templates/literal.ts), where
 * recorded text must render to itself however many braces it holds.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTemplate, createTemplateServices, hasUnwritableBraces, literalTemplate } from '../../src/templates/index.ts';
import { recordingToEndpoint } from '../../src/recording/to-config.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';
import { parseSseText, sseEvent } from '../../src/util/sse.ts';

describe('Server-Sent Events text', () => {
  it('writes the fields in one order; CR, LF and CRLF in data make more data lines, in a name or id a space', () => {
    assert.equal(sseEvent({ comment: 'a\nb', id: '7', event: 'tick', retry: 1500.7, data: 'x\ry\r\nz\nw' }), ': a\n: b\nid: 7\nevent: tick\nretry: 1500\ndata: x\ndata: y\ndata: z\ndata: w\n\n');
    assert.equal(sseEvent({ id: 'a\r\nid: b\0', event: 'x\revent: y' }), 'id: a id: b \nevent: x event: y\n\n');
    assert.equal(sseEvent({ data: '' }), 'data: \n\n', 'empty data is still an event');
    assert.equal(sseEvent({ retry: -5 }), 'retry: 0\n\n');
  });

  it('reads back what it writes, and what other servers write (CRLF, no space after the colon, comments)', () => {
    const fields = { comment: 'hello', id: '3', event: 'tick', retry: 10, data: 'one\ntwo' };
    assert.deepEqual(parseSseText(sseEvent(fields) + sseEvent({ data: '[DONE]' })), [fields, { data: '[DONE]' }]);
    assert.deepEqual(parseSseText('id:1\r\ndata:a\r\ndata:b\r\n\r\n: keep-alive\r\n\r\nretry: soon\n\n'), [{ id: '1', data: 'a\nb' }, { comment: 'keep-alive' }]);
    assert.deepEqual(parseSseText('\n\n\n'), []);
    assert.deepEqual(parseSseText('data: whole\n\nid: 4\nevent: ti'), [{ data: 'whole' }], 'an event cut mid-way is not one');
  });
});

describe('literal templates', () => {
  const services = createTemplateServices(new ManualClock(0), createRandom(1), 1);
  const render = (value: unknown): unknown => compileTemplate(value)({} as never, services);

  it('recorded text renders to itself, braces and all', () => {
    const texts = ['Hello {{name}}', 'a {{ brace', '{{{triple}}}', '}} only', '{{#if x}}y{{/if}}', '{{!comment}}', '{{{{raw}}}} {{x}} {{{{/raw}}}}', 'x {{a}} y {{b}} z', '{{', '{{{{', 'no braces'];
    for (const text of texts) assert.equal(render(literalTemplate(text)), text, text);
    const nested = { list: ['{{a}}', { deep: '{{b}} {{' }], '{{key}}': 1, n: 2, none: null };
    assert.deepEqual(render(literalTemplate(nested)), nested);
  });

  it('a backslash right before {{ has no escaped form: it is found, and the converter says so', () => {
    assert.equal(hasUnwritableBraces('a \\{{b}}'), true);
    assert.equal(hasUnwritableBraces('a \\ {{b}}'), false);
    const frames = ['{"a":"\\\\{{x}}"}', '{"a":"{{x}}"}'].map((data, i) => ({ kind: 'frame' as const, t: i * 10, from: 'upstream' as const, type: 'text' as const, data }));
    const { endpoint, notes } = recordingToEndpoint({ session: { kind: 'session', version: 1, route: 'r', url: 'ws://x', path: '/', startedAt: '', headers: {}, protocol: '' }, events: frames } as never, '/r');
    assert.deepEqual(notes, ['route "r": 1 message(s) have a backslash right before "{{", which no template escape keeps: edit them by hand']);
    const [unwritable, written] = (endpoint['streams'] as { sequence: { data: unknown }[] }[])[0]?.sequence.map((s) => s.data) ?? [];
    assert.throws(() => render(unwritable), /unknown helper or variable "x"/, 'what the note warns of: it does not load as it is');
    assert.deepEqual(render(written), { a: '{{x}}' });
  });
});
