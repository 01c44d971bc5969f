import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENT_TYPES } from '../../src/streams/generators/cerberus-catalog.ts';
import { cerberusEventGenerator, cerberusMetricGenerator, cerberusStatusGenerator, DEFAULT_SERIES } from '../../src/streams/generators/cerberus.ts';
import { ManualClock } from '../../src/util/clock.ts';
import { createRandom } from '../../src/util/random.ts';
import { checkConfig } from '../../src/config/validate.ts';
import { createTemplateServices } from '../../src/templates/index.ts';

interface EventPayload {
  id: string;
  timestamp: number;
  eventType: string;
  severity: string;
  message: string;
  source: string;
  metadata: Record<string, unknown>;
}

function context(seed = 42) {
  const clock = new ManualClock(1_700_000_000_000);
  const random = createRandom(seed);
  return { clock, random, templates: createTemplateServices(clock, random, seed), serverStats: () => ({ clients: 3, startedAt: 1_700_000_000_000 - 5000 }) };
}

function events(count: number, options: unknown = {}, seed = 42): { data: EventPayload; topics?: readonly string[] }[] {
  const produce = cerberusEventGenerator.create(cerberusEventGenerator.options.parse(options), context(seed));
  return Array.from({ length: count }, () => produce()[0] as { data: EventPayload; topics?: readonly string[] });
}

describe('cerberus generators', () => {
  it('a failed login says "1 attempt", not "1 attempts"', () => {
    const message = EVENT_TYPES['auth.failed']?.message;
    assert.ok(message !== undefined);
    assert.match(message({ username: 'ann', attempts: 1 }), /\(1 attempt\)$/);
    assert.match(message({ username: 'ann', attempts: 3 }), /\(3 attempts\)$/);
  });

  it('events: every type appears, with a fitting severity, a message, a source and its own metadata', () => {
    const sample = events(3000);
    const seen = new Set(sample.map((e) => e.data.eventType));
    assert.deepEqual([...seen].sort(), Object.keys(EVENT_TYPES).sort());
    assert.ok(seen.size >= 10);
    for (const { data } of sample) {
      assert.deepEqual(Object.keys(data), ['id', 'timestamp', 'eventType', 'severity', 'message', 'source', 'metadata']);
      assert.match(data.id, /^evt-\d{13}-[0-9a-f]{6}$/);
      assert.equal(data.timestamp, 1_700_000_000_000);
      const spec = EVENT_TYPES[data.eventType];
      assert.ok(spec !== undefined, data.eventType);
      assert.ok(spec.severities.includes(data.severity as never), `${data.eventType} cannot be ${data.severity}`);
      assert.ok(spec.sources.includes(data.source));
      assert.ok(data.message.length > 10 && !data.message.includes('undefined'), data.message);
    }
    const byType = (t: string) => sample.find((e) => e.data.eventType === t)!.data.metadata;
    assert.match(String(byType('payment.success')['transactionId']), /^txn_[0-9a-f]{16}$/);
    assert.equal(typeof byType('payment.success')['amount'], 'number');
    assert.match(String(byType('user.login')['userId']), /^usr_\d{5}$/);
    assert.match(String(byType('user.login')['ipAddress']), /^\d+\.\d+\.\d+\.\d+$/);
    assert.match(String(byType('api.request')['method']), /^(GET|POST|PUT|DELETE)$/);
    assert.match(String(byType('api.request')['endpoint']), /^\/api\/v1\//);
    assert.equal(typeof byType('api.request')['statusCode'], 'number');
    assert.equal(byType('api.rate_limited')['statusCode'], 429);
  });

  it('events: an internal (10.x) address has no country; a system warning is medium, high when nearly full', () => {
    let internal = 0;
    const warnings: { severity: string; usage: number }[] = [];
    for (const { data } of events(5000)) {
      const address = data.metadata['ipAddress'];
      if (typeof address === 'string') {
        if (address.startsWith('10.')) {
          internal += 1;
          assert.equal(data.metadata['country'], undefined, `${data.eventType} from ${address} has a country`);
        } else if (data.eventType === 'security.alert' || data.eventType === 'user.login') assert.equal(typeof data.metadata['country'], 'string');
      }
      if (data.eventType === 'system.warning') warnings.push({ severity: data.severity, usage: data.metadata['usage'] as number });
    }
    assert.ok(internal > 0, 'some events come from internal addresses');
    assert.ok(warnings.length > 50);
    for (const w of warnings) assert.ok(w.severity === 'high' ? w.usage >= 90 : w.severity === 'medium' && w.usage < 90, JSON.stringify(w));
    const medium = warnings.filter((w) => w.severity === 'medium').length / warnings.length;
    assert.ok(medium > 0.5 && medium < 0.95, `medium share of system warnings: ${medium}`);
  });

  it('events: a payment.success is never above low, a security.alert never below high', () => {
    for (const { data } of events(5000)) {
      if (data.eventType === 'payment.success') assert.equal(data.severity, 'low');
      if (data.eventType === 'security.alert') assert.ok(['high', 'critical'].includes(data.severity));
    }
  });

  it('events: severities follow 50/30/15/5 over 10,000 draws (fixed seeds, so the check cannot flake)', () => {
    for (const seed of [1, 42, 2024]) {
      const counts: Record<string, number> = { low: 0, medium: 0, high: 0, critical: 0 };
      for (const { data } of events(10_000, {}, seed)) counts[data.severity]! += 1;
      // 4.5 standard deviations of a binomial(10000, p) is at most 2.25 percentage points.
      assert.ok(Math.abs(counts['low']! - 5000) < 225, JSON.stringify(counts));
      assert.ok(Math.abs(counts['medium']! - 3000) < 210, JSON.stringify(counts));
      assert.ok(Math.abs(counts['high']! - 1500) < 165, JSON.stringify(counts));
      assert.ok(Math.abs(counts['critical']! - 500) < 100, JSON.stringify(counts));
    }
  });

  it('events: high and critical ones also go to the alerts topic', () => {
    for (const event of events(500)) {
      const alert = event.data.severity === 'high' || event.data.severity === 'critical';
      assert.deepEqual(event.topics, alert ? ['alerts'] : undefined);
    }
  });

  it('events: weights and types are configurable, and a seed reproduces the stream', () => {
    const onlyCritical = events(200, { severityWeights: { low: 0, medium: 0, high: 0, critical: 1 }, types: ['security.alert', 'system.error'] });
    assert.ok(onlyCritical.every((e) => e.data.severity === 'critical' && ['security.alert', 'system.error'].includes(e.data.eventType)));
    assert.deepEqual(events(50, {}, 7), events(50, {}, 7));
    assert.notDeepEqual(events(50, {}, 7), events(50, {}, 8));
  });

  it('events: options that cannot work are configuration errors', () => {
    const result = checkConfig({
      endpoints: [{ path: '/', streams: [{ name: 'e', generator: 'cerberus.event', options: { types: ['payment.success'], severityWeights: { low: 1, medium: 0, high: 0, critical: 1 } } }] }],
    });
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, ['endpoints[0].streams[0].options.types: no listed event type can be critical, but its weight is above 0']);
    const zero = checkConfig({ endpoints: [{ path: '/', streams: [{ name: 'e', generator: 'cerberus.event', options: { severityWeights: { low: 0, medium: 0, high: 0, critical: 0 } } }] }] });
    assert.ok(!zero.ok && zero.problems[0]?.includes('at least one weight must be above 0'));
  });

  it('metrics: one message per series per tick, values in range, moving by bounded steps', () => {
    const ctx = context();
    const produce = cerberusMetricGenerator.create(cerberusMetricGenerator.options.parse({}), ctx);
    const history = new Map<string, number[]>();
    for (let tick = 0; tick < 2000; tick++) {
      ctx.clock.advance(3000);
      const batch = produce();
      assert.deepEqual(batch.map((m) => (m.data as { metricId: string }).metricId), DEFAULT_SERIES.map((s) => s.id));
      for (const { data } of batch) {
        const m = data as { metricId: string; timestamp: number; value: number; tags: Record<string, string> };
        assert.equal(m.timestamp, ctx.clock.now());
        assert.deepEqual(Object.keys(m.tags), ['server', 'region', 'service']);
        const list = history.get(m.metricId) ?? [];
        list.push(m.value);
        history.set(m.metricId, list);
      }
    }
    for (const series of DEFAULT_SERIES) {
      const values = history.get(series.id)!;
      assert.ok(values.every((v) => v >= series.min && v <= series.max), `${series.id} left [${series.min}, ${series.max}]`);
      for (let i = 1; i < values.length; i++) {
        assert.ok(Math.abs(values[i]! - values[i - 1]!) <= series.step + 10 ** -series.decimals, `${series.id} jumped`);
      }
      // A walk, not a constant: it explores a good part of its range over 2,000 ticks.
      assert.ok(Math.max(...values) - Math.min(...values) > (series.max - series.min) * 0.2, `${series.id} barely moved`);
    }
    assert.ok(history.get('cpu_usage')!.some((v) => !Number.isInteger(v)), 'cpu_usage keeps a decimal');
    assert.ok(history.get('active_users')!.every((v) => Number.isInteger(v)), 'active_users is a count');
  });

  it('metrics: the series come from a fleet (several servers, regions and services), each series from one source', () => {
    const ctx = context();
    const produce = cerberusMetricGenerator.create(cerberusMetricGenerator.options.parse({}), ctx);
    const first = produce().map((m) => (m.data as { tags: Record<string, string> }).tags);
    for (const key of ['server', 'region', 'service']) assert.ok(new Set(first.map((t) => t[key])).size >= 3, `${key} varies across series`);
    for (let tick = 0; tick < 10; tick++) {
      ctx.clock.advance(3000);
      assert.deepEqual(produce().map((m) => (m.data as { tags: Record<string, string> }).tags), first, 'each series keeps its source');
    }
  });

  it('metrics: series, ranges and tags are configurable', () => {
    const produce = cerberusMetricGenerator.create(cerberusMetricGenerator.options.parse({ series: [{ id: 'queue_depth', min: 0, max: 10, decimals: 0 }], servers: ['db-1'] }), context());
    for (let i = 0; i < 100; i++) {
      const [m] = produce();
      const data = m!.data as { metricId: string; value: number; tags: { server: string } };
      assert.equal(data.metricId, 'queue_depth');
      assert.ok(data.value >= 0 && data.value <= 10 && Number.isInteger(data.value));
      assert.equal(data.tags.server, 'db-1');
    }
    const bad = checkConfig({ endpoints: [{ path: '/', streams: [{ name: 'm', generator: 'cerberus.metric', options: { series: [{ id: 'x', min: 5, max: 1 }] } }] }] });
    assert.ok(!bad.ok);
    assert.deepEqual(bad.problems, ['endpoints[0].streams[0].options.series[0]: max must be above min']);
  });

  it('status: the true client count, uptime and server time', () => {
    const ctx = context();
    const [status] = cerberusStatusGenerator.create({}, ctx)();
    assert.deepEqual(status!.data, { connected: true, clients: 3, uptime: 5000, serverTime: 1_700_000_000_000 });
  });
});
