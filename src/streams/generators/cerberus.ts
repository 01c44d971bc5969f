/**
 * The generators behind the cerberus preset: security and operations events with weighted severities,
 * metrics that move as bounded random walks, and server status. Any stream on any endpoint can use them.
 */
import { z } from 'zod';
import { EVENT_TYPES, EVENT_TYPE_NAMES, SEVERITIES, hex, type Severity } from './cerberus-catalog.ts';
import { roundTo } from '../../util/round.ts';
import { defineGenerator } from './types.ts';

const severityWeights = z
  .strictObject({ low: z.number().min(0), medium: z.number().min(0), high: z.number().min(0), critical: z.number().min(0) })
  .refine((w) => w.low + w.medium + w.high + w.critical > 0, { message: 'at least one weight must be above 0' });

const eventOptions = z
  .strictObject({
    severityWeights: severityWeights.default({ low: 50, medium: 30, high: 15, critical: 5 }),
    types: z.array(z.enum(EVENT_TYPE_NAMES as [string, ...string[]])).min(1).default(EVENT_TYPE_NAMES),
    /** Events of these severities are also published to `alertTopic`. */
    alertSeverities: z.array(z.enum(SEVERITIES)).default(['high', 'critical']),
    alertTopic: z.string().min(1).default('alerts'),
  })
  .superRefine((options, ctx) => {
    for (const severity of SEVERITIES) {
      if (options.severityWeights[severity] === 0) continue;
      if (!options.types.some((t) => EVENT_TYPES[t]?.severities.includes(severity))) {
        ctx.addIssue({ code: 'custom', path: ['types'], message: `no listed event type can be ${severity}, but its weight is above 0` });
      }
    }
  });

export const cerberusEventGenerator = defineGenerator({
  description: 'A security or operations event: id, timestamp, eventType, severity (weighted), message, source, metadata.',
  options: eventOptions,
  topics: (options) => [options.alertTopic],
  create(options, { random, clock }) {
    const weights = SEVERITIES.map((s) => options.severityWeights[s]);
    const total = weights.reduce((a, b) => a + b, 0);
    const typesBySeverity = new Map<Severity, string[]>(SEVERITIES.map((s) => [s, options.types.filter((t) => EVENT_TYPES[t]?.severities.includes(s))]));
    const alerts = new Set<Severity>(options.alertSeverities);
    const alertTopics = [options.alertTopic];
    const drawSeverity = (): Severity => {
      let x = random.next() * total;
      for (let i = 0; i < SEVERITIES.length; i++) {
        x -= weights[i] as number;
        if (x < 0) return SEVERITIES[i] as Severity;
      }
      return SEVERITIES.findLast((_s, i) => (weights[i] as number) > 0) as Severity;
    };
    return () => {
      const severity = drawSeverity();
      const eventType = random.pick(typesBySeverity.get(severity) as string[]);
      const spec = EVENT_TYPES[eventType]!;
      const metadata = spec.metadata(random, severity);
      const timestamp = clock.now();
      const data = { id: `evt-${timestamp}-${hex(random, 6)}`, timestamp, eventType, severity, message: spec.message(metadata), source: random.pick(spec.sources), metadata };
      return [alerts.has(severity) ? { data, topics: alertTopics } : { data }];
    };
  },
});

const seriesSchema = z
  .strictObject({
    id: z.string().min(1),
    min: z.number(),
    max: z.number(),
    /** Largest move per tick; default 5 % of the range. */
    step: z.number().positive().optional(),
    start: z.number().optional(),
    decimals: z.number().int().min(0).max(6).default(1),
  })
  .refine((s) => s.max > s.min, { message: 'max must be above min' })
  .refine((s) => s.start === undefined || (s.start >= s.min && s.start <= s.max), { message: 'start must lie between min and max' });

export const DEFAULT_SERIES = [
  { id: 'cpu_usage', min: 5, max: 95, start: 35, step: 4, decimals: 1 },
  { id: 'memory_usage', min: 20, max: 92, start: 55, step: 1.5, decimals: 1 },
  { id: 'network_in', min: 5, max: 950, start: 220, step: 40, decimals: 1 },
  { id: 'network_out', min: 5, max: 800, start: 160, step: 35, decimals: 1 },
  { id: 'api_response_time', min: 20, max: 900, start: 120, step: 25, decimals: 0 },
  { id: 'active_users', min: 50, max: 5000, start: 1200, step: 60, decimals: 0 },
  { id: 'error_rate', min: 0, max: 8, start: 0.6, step: 0.3, decimals: 2 },
  { id: 'requests_per_second', min: 40, max: 2500, start: 650, step: 70, decimals: 0 },
];

export const cerberusMetricGenerator = defineGenerator({
  description: 'One metric message per series per tick: metricId, timestamp, value (a bounded random walk), tags {server, region, service}.',
  options: z.strictObject({
    series: z.array(seriesSchema).min(1).default(DEFAULT_SERIES),
    servers: z.array(z.string().min(1)).min(1).default(['server-1', 'server-2', 'server-3']),
    regions: z.array(z.string().min(1)).min(1).default(['us-east-1', 'eu-west-1', 'ap-southeast-1']),
    services: z.array(z.string().min(1)).min(1).default(['api-gateway', 'auth-service', 'payment-service', 'web-app']),
  }),
  create(options, { random, clock }) {
    // Tags are fixed per series so each chart line is one source, as on a real dashboard.
    const lines = options.series.map((s, i) => ({
      ...s,
      step: s.step ?? (s.max - s.min) * 0.05,
      value: s.start ?? s.min + random.next() * (s.max - s.min),
      tags: { server: options.servers[i % options.servers.length] as string, region: options.regions[i % options.regions.length] as string, service: options.services[i % options.services.length] as string },
    }));
    return () => {
      const timestamp = clock.now();
      return lines.map((line) => {
        let next = line.value + (random.next() * 2 - 1) * line.step;
        // Reflect at the bounds instead of clamping, so a line does not stick to its ceiling.
        if (next > line.max) next = line.max - (next - line.max);
        if (next < line.min) next = line.min + (line.min - next);
        line.value = Math.min(line.max, Math.max(line.min, next));
        return { data: { metricId: line.id, timestamp, value: roundTo(line.value, line.decimals), tags: line.tags } };
      });
    };
  },
});

export const cerberusStatusGenerator = defineGenerator({
  description: 'Server status: connected, clients (the true count), uptime in ms, serverTime.',
  options: z.strictObject({}),
  create(_options, { clock, serverStats }) {
    return () => {
      const { clients, startedAt } = serverStats();
      const now = clock.now();
      return [{ data: { connected: true, clients, uptime: now - startedAt, serverTime: now } }];
    };
  },
});
