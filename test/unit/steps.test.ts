/**
 * The one step engine of rules and routes (src/steps/): the one parser and order check with each side's
 * wording, the one `publish` shape every spelling turns into, the one-line explanations, and the runner, which
 * stays synchronous (no promise made) until a step waits or answers later.
 */
import { MemoryStateStore } from '../../src/state/memory.ts';
import assert from 'node:assert/strict';
import { createHook } from 'node:async_hooks';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { formatIssues, issueMessage } from '../../src/errors/schema-issues.ts';
import { newCounters, type Peer } from '../../src/hub/peer.ts';
import { explainRoute, httpRouteSchema } from '../../src/http/index.ts';
import { actionSchema, explainRule, RuleEngine, ruleSchema, type RuleHost } from '../../src/rules/index.ts';
import { actionListSchema } from '../../src/rules/schema.ts';
import { defineStep, publishStep, runSteps, type PublishTarget, type RunResult, type Step, type StepRun } from '../../src/steps/index.ts';
import { createTemplateServices } from '../../src/templates/index.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { Message } from '../../src/util/message.ts';
import { createRandom } from '../../src/util/random.ts';

function problems(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value, { error: issueMessage });
  return result.success ? [] : formatIssues(result.error.issues);
}

const route = (then: unknown[]): unknown => ({ path: '/x', then });

describe('the one parser and order check', () => {
  it('nothing runs after a final step, said in each side\'s words', () => {
    assert.deepEqual(problems(actionListSchema, [{ reply: 'a' }, { close: {} }, { reply: 'b' }]), ['[2]: nothing runs after "close" (step 1): remove this step or move it before the close']);
    assert.deepEqual(problems(actionListSchema, [{ drop: true }, { close: {} }]), ['[1]: nothing runs after "drop" (step 0): remove this step or move it before the drop'], 'the first final step is the one named');
    assert.deepEqual(problems(httpRouteSchema, route([{ respond: {} }, { delay: 5 }])), ['then[1]: nothing runs after "respond" (step 0): the request is answered there']);
    assert.deepEqual(problems(httpRouteSchema, route([{ forward: 'http://127.0.0.1:9' }, { respond: {} }])), ['then[1]: nothing runs after "forward" (step 0): the request is answered there']);
  });

  it('a route\'s last step must answer, and a sequence\'s lists name only what they may hold', () => {
    assert.deepEqual(problems(httpRouteSchema, route([{ delay: 5 }, { publish: 'news' }])), ['then[1]: the last step must answer: respond, forward, collection, fault or sequence']);
    assert.deepEqual(problems(httpRouteSchema, route([{ sequence: { steps: [[{ respond: {} }], [{ delay: 1 }]] } }])), ['then[0].sequence.steps[1][0]: the last step must answer: respond, forward, collection or fault']);
    assert.deepEqual(problems(httpRouteSchema, route([{ sequence: { steps: [[{ sequence: { steps: [] } }]] } }])), ['then[0].sequence.steps[0][0]: expected one step: respond, delay, publish, forward, setState, collection, disconnect or fault, got "sequence"']);
    assert.deepEqual(problems(actionListSchema, [{ reply: 'a' }]), [], 'a rule need not end with a final action');
  });

  it('an unknown key is named with the closest one; templates are checked where each step has them', () => {
    assert.deepEqual(problems(actionSchema, { replay: 'x' }), ['(root): expected one action: reply, replyBinary, delay, publish, close, drop, log, refuse, generate or setState, got "replay" (did you mean "reply"?)']);
    assert.deepEqual(problems(httpRouteSchema, route([{ respnd: {} }])), ['then[0]: expected one step: respond, delay, publish, forward, setState, collection, disconnect, fault or sequence, got "respnd" (did you mean "respond"?)']);
    assert.match(problems(actionSchema, { publish: { stream: 'news', data: { a: '{{#if}}' } } }).join(), /^publish\.data\.a: /);
    assert.match(problems(httpRouteSchema, route([{ publish: { endpoint: '/ws', message: '{{nope' } }, { respond: {} }])).join(), /^then\[0\]\.publish\.message: /);
    assert.match(problems(actionSchema, { log: 'seen {{' }).join(), /^log: /);
    assert.match(problems(httpRouteSchema, route([{ respond: { body: { a: '{{#each}}' } } }])).join(), /^then\[0\]\.respond\.body\.a: /);
  });
});

describe('one publish shape', () => {
  const parsed = (publish: unknown): unknown => (actionSchema.parse({ publish }) as { publish: unknown }).publish;
  const routed = (publish: unknown): unknown => (httpRouteSchema.parse(route([{ publish }, { respond: {} }])).then[0] as { publish: unknown }).publish;

  it('every spelling becomes { stream, endpoint?, data? }, on both sides', () => {
    for (const read of [parsed, routed]) {
      assert.deepEqual(read('news'), { stream: 'news' });
      assert.deepEqual(read({ stream: 'news', data: { n: 1 } }), { stream: 'news', data: { n: 1 } });
      assert.deepEqual(read({ stream: 'news', endpoint: '/ws' }), { stream: 'news', endpoint: '/ws' });
      assert.deepEqual(read({ endpoint: '/ws', message: 'hi' }), { endpoint: '/ws', data: 'hi' }, 'the earlier { endpoint, message }');
      assert.deepEqual(read({ endpoint: '/ws', data: null }), { endpoint: '/ws', data: null });
    }
  });

  it('a publish that says neither where nor which is refused, with what to write', () => {
    assert.deepEqual(problems(actionSchema, { publish: { data: 1 } }), ['publish: give a stream (its subscribers get the message) or an endpoint (every client of it gets `data`)']);
    assert.deepEqual(problems(actionSchema, { publish: { stream: 'news', message: 1 } }), ['publish.message: `message` is the name `data` had in { endpoint, message }: give `data` only']);
    assert.deepEqual(problems(actionSchema, { publish: { stream: 'news', zz: 1 } }), ['publish: unknown key "zz"']);
    assert.deepEqual(problems(actionSchema, { publish: 5 }), ['publish: expected a stream name, { stream, endpoint?, data? } (a stream\'s subscribers) or { endpoint, data } (every client of an endpoint)']);
  });

  it('the compiled step hands the host that one shape, its data rendered', () => {
    const sent: PublishTarget[] = [];
    const clock = new ManualClock(0);
    const random = createRandom(1);
    const host = { random, templates: createTemplateServices(clock, random, 1), state: new MemoryStateStore(), publish: (target: PublishTarget) => void sent.push(target) };
    for (const spelling of ['news', { endpoint: '/ws', message: { to: '{{client.id}}' } }]) {
      const step = publishStep.compile(publishStep.schema.parse(spelling), undefined);
      step({ context: { client: { id: 'c1', connectedAt: '', query: {} } }, host, source: 'rule:test', stateScopes: ['global'] });
    }
    assert.deepEqual(sent, [{ stream: 'news' }, { endpoint: '/ws', data: { to: 'c1' } }]);
  });
});

describe('one line per rule and route', () => {
  it('a rule reads as its matcher and its actions', () => {
    const rule = (value: unknown): string => explainRule(ruleSchema.parse(value));
    assert.equal(rule({ when: { type: 'ping' }, then: [{ reply: { type: 'pong' } }, { delay: '100-200' }] }), 'when {"type":"ping"} then reply {"type":"pong"}, delay 100-200 ms');
    assert.equal(rule({ when: { text: '^PING$' }, then: [{ reply: ['a', { b: 1 }] }, { publish: 'news' }, { close: { code: 4001, reason: 'bye' } }] }), 'when text /^PING$/ then reply "a" + {"b":1}, publish news, close 4001 "bye"');
    assert.equal(rule({ when: { binary: { prefix: 'cafe' } }, then: [{ replyBinary: '{{messageBase64}}' }, { drop: true }] }), 'when binary starting cafe then reply binary "{{messageBase64}}", drop');
    assert.equal(
      rule({ when: { schema: { title: 'order', type: 'object' } }, then: [{ generate: { schema: { title: 'ack' }, copy: { '/id': '/id' } } }], onFailure: [{ log: 'no ack' }], continue: true }),
      'when a JSON Schema then generate a reply from the JSON Schema "ack" (copying /id), then later rules; on failure log "no ack"',
    );
    assert.equal(rule({ when: { jsonPath: '$.a', json: { t: 1 } }, then: [{ publish: { endpoint: '/ws', message: 'hi' } }] }), 'when json {"t":1} and jsonPath $.a then publish "hi" to every client of /ws');
    const long = rule({ when: { type: 'x' }, then: [{ reply: { text: 'y'.repeat(100) } }] });
    assert.ok(long.endsWith('…') && long.length < 100, long);
  });

  it('a route reads as its method, path, conditions and steps', () => {
    const line = (value: unknown): string => explainRoute(httpRouteSchema.parse(value));
    assert.equal(line({ method: 'GET', path: '/api/orders/:id', then: [{ respond: { body: { id: '{{request.params.id}}' } } }] }), 'GET /api/orders/:id -> respond 200 (json body)');
    assert.equal(line({ path: '/x', when: { query: { page: '2' }, headers: { Authorization: '^Bearer ' }, body: { type: 'order' } }, then: [{ delay: 50 }, { respond: { status: 201, body: 'ok' } }] }), 'ANY /x?page=2 with header authorization ~ /^Bearer /, body {"type":"order"} -> delay 50 ms, respond 201 (text body)');
    assert.equal(line({ method: ['POST', 'PUT'], path: '/x', then: [{ publish: { stream: 'orders', endpoint: '/ws' } }, { forward: 'https://user:secret@api.example.com/v1/?key=k' }] }), 'POST,PUT /x -> publish orders on /ws, forward to https://api.example.com/v1');
    assert.equal(
      line({ path: '/chat', then: [{ respond: { chunks: ['a', 'b'], format: 'ndjson', chunkDelay: '30-60' } }] }),
      'ANY /chat -> respond 200 (2 chunks, JSON lines, 30-60 ms apart)',
    );
    assert.equal(line({ path: '/f', then: [{ respond: { file: 'index.html' } }] }), 'ANY /f -> respond 200 (file index.html)');
    assert.equal(line({ path: '/e', then: [{ respond: { events: [{ data: 1 }] } }] }), 'ANY /e -> respond 200 (1 Server-Sent Events)');
    assert.equal(
      line({ path: '/s', then: [{ sequence: { per: 'header:x-user', then: 'loop', steps: [[{ respond: { status: 202 } }], [{ delay: 5 }, { respond: { status: 200, body: { done: true } } }]] } }] }),
      'ANY /s -> sequence per header:x-user (1: respond 202 (no body); 2: delay 5 ms, respond 200 (json body); then loop)',
    );
  });
});

/** A run that records what the runner asked of it. */
class TestRun implements StepRun<string> {
  readonly context = {};
  readonly source = 'rule:test';
  readonly stateScopes = ['global'];
  readonly host = { random: createRandom(1), templates: createTemplateServices(new ManualClock(0), createRandom(1), 1), state: new MemoryStateStore(), publish: () => undefined };
  readonly done: string[] = [];
  readonly waits: number[] = [];
  readonly failures: unknown[] = [];
  resume: (() => RunResult<string>) | undefined;
  wait(ms: number, resume: () => RunResult<string>): undefined {
    this.waits.push(ms);
    this.resume = resume;
    return undefined;
  }
  fail(error: unknown): string {
    this.failures.push(error);
    return 'failed';
  }
}

const mark = (name: string): Step<TestRun, string> => (run) => void run.done.push(name);

describe('the one runner', () => {
  const isThenable = (value: unknown): boolean => typeof (value as { then?: unknown } | undefined)?.then === 'function';

  it('runs a list without waits synchronously: the result is no promise', () => {
    const run = new TestRun();
    const result = runSteps([mark('a'), mark('b'), mark('c')], run);
    assert.equal(isThenable(result), false);
    assert.equal(result, undefined);
    assert.deepEqual(run.done, ['a', 'b', 'c']);
    const ended = runSteps([mark('a'), () => ({ done: 'closed' }), mark('never')], new TestRun());
    assert.equal(ended, 'closed', 'a final step ends the list with its value, at once');
  });

  it('hands the rest to the run\'s wait, and goes on when it resumes', () => {
    const run = new TestRun();
    assert.equal(runSteps([mark('a'), () => ({ wait: 25 }), mark('b')], run), undefined);
    assert.deepEqual([run.done, run.waits], [['a'], [25]]);
    run.resume?.();
    assert.deepEqual(run.done, ['a', 'b']);
  });

  it('goes on after a step that answers later, and only then returns a promise', async () => {
    const run = new TestRun();
    const later: Step<TestRun, string> = (r) => Promise.resolve().then(() => void r.done.push('later'));
    const result = runSteps([mark('a'), later, mark('b'), () => Promise.resolve({ done: 'answered' }), mark('never')], run);
    assert.equal(isThenable(result), true);
    assert.deepEqual(run.done, ['a'], 'nothing after the promise has run yet');
    assert.equal(await result, 'answered');
    assert.deepEqual(run.done, ['a', 'later', 'b']);
  });

  it('gives a failure, thrown or rejected, to the run, and runs nothing after it', async () => {
    const boom = new Error('boom');
    const thrown = new TestRun();
    assert.equal(runSteps([() => { throw boom; }, mark('never')], thrown), 'failed');
    assert.deepEqual([thrown.failures, thrown.done], [[boom], []]);
    const rejected = new TestRun();
    assert.equal(await runSteps([() => Promise.reject(boom), mark('never')], rejected), 'failed');
    assert.deepEqual([rejected.failures, rejected.done], [[boom], []]);
  });

  it('a defined step compiles once and explains itself', () => {
    const echo = defineStep({ schema: z.string(), compile: (text: string) => (run: TestRun) => void run.done.push(text), explain: (text) => `echo ${text}` });
    const run = new TestRun();
    runSteps<TestRun, string>([echo.compile('hi', undefined)], run);
    assert.deepEqual(run.done, ['hi']);
    assert.equal(echo.explain('hi', () => ''), 'echo hi');
  });

  it('a WebSocket message matched by a rule that replies makes no promise', () => {
    const clock = new ManualClock(0);
    const random = createRandom(1);
    const sent: string[] = [];
    const peer = { id: 'c1', send: (text: string) => void sent.push(text) } as unknown as Peer;
    Object.assign(peer, { counters: newCounters() });
    const host: RuleHost = { random, templates: createTemplateServices(clock, random, 1), state: new MemoryStateStore(), stateScopes: () => ['global'], refuse: () => undefined, schedule: () => undefined, publish: () => undefined, log: () => undefined, onError: (_p, e) => { throw e; } };
    const engine = new RuleEngine([ruleSchema.parse({ when: { type: 'order' }, then: [{ reply: { id: '{{uuid}}', qty: '{{message.qty}}' } }, { log: 'seen' }] })]);
    const message = Message.text('{"type":"order","qty":3}');
    let promises = 0;
    const hook = createHook({ init: (_id, type) => void (type === 'PROMISE' && promises++) }).enable();
    const matched = engine.handle(peer, message, { message: message.value }, host);
    hook.disable();
    assert.equal(matched, true);
    assert.equal(sent.length, 1);
    assert.equal(promises, 0, 'promises made while a rule replied');
  });
});
