/**
 * What realistic security and operations events look like: each type with the severities it can have, the
 * services that emit it, a human message and type-specific metadata. A `payment.success` is never critical.
 */
import { roundTo } from '../../util/round.ts';
import type { Random } from '../../util/random.ts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface EventType {
  readonly severities: readonly Severity[];
  readonly sources: readonly string[];
  readonly message: (meta: Readonly<Record<string, unknown>>) => string;
  /** The event's details; `severity` (drawn first, to keep the overall mix) lets them fit it. */
  readonly metadata: (random: Random, severity: Severity) => Record<string, unknown>;
}

const hex = (random: Random, length: number): string => {
  let out = '';
  for (let i = 0; i < length; i++) out += '0123456789abcdef'[random.int(0, 15)];
  return out;
};
const userId = (random: Random): string => `usr_${random.int(10_000, 99_999)}`;
/** Internal addresses, or the documentation ranges for outside ones (never a real third party's). */
const ip = (random: Random): string =>
  random.next() < 0.3
    ? `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`
    : `${random.pick(['203.0.113', '198.51.100', '192.0.2'])}.${random.int(1, 254)}`;
/** Where a request came from: an address, and its country unless it is internal (10.x has none). */
const origin = (random: Random): { ipAddress: string; country?: string } => {
  const ipAddress = ip(random);
  return ipAddress.startsWith('10.') ? { ipAddress } : { ipAddress, country: random.pick(COUNTRIES) };
};
const amount = (random: Random, min: number, max: number): number => roundTo(min + random.next() * (max - min), 2);

const ENDPOINTS = [
  ['GET', '/api/v1/users'],
  ['GET', '/api/v1/orders'],
  ['POST', '/api/v1/orders'],
  ['POST', '/api/v1/payments'],
  ['GET', '/api/v1/products'],
  ['PUT', '/api/v1/users/profile'],
  ['DELETE', '/api/v1/sessions'],
  ['POST', '/api/v1/auth/token'],
] as const;
const BROWSERS = ['Chrome 131 on macOS', 'Firefox 133 on Windows', 'Safari 18 on iOS', 'Edge 131 on Windows', 'Chrome 131 on Android'];
const COUNTRIES = ['US', 'DE', 'GB', 'FR', 'BR', 'IN', 'JP', 'CA', 'NL', 'SG'];
const CURRENCIES = ['USD', 'EUR', 'GBP'];

export const EVENT_TYPES: Readonly<Record<string, EventType>> = {
  'user.login': {
    severities: ['low'],
    sources: ['web-app', 'mobile-app', 'auth-service'],
    message: () => 'User successfully logged in',
    metadata: (r) => ({ userId: userId(r), ...origin(r), userAgent: r.pick(BROWSERS) }),
  },
  'user.logout': {
    severities: ['low'],
    sources: ['web-app', 'mobile-app'],
    message: () => 'User logged out',
    metadata: (r) => ({ userId: userId(r), sessionDuration: r.int(60, 14_400) }),
  },
  'user.signup': {
    severities: ['low', 'medium'],
    sources: ['web-app', 'mobile-app', 'user-service'],
    message: (m) => `New user registered via ${String(m['plan'])} plan`,
    metadata: (r) => ({ userId: userId(r), plan: r.pick(['free', 'pro', 'team', 'enterprise']), referrer: r.pick(['google', 'direct', 'newsletter', 'partner']) }),
  },
  'payment.success': {
    severities: ['low'],
    sources: ['payment-service', 'billing-service'],
    message: (m) => `Payment of ${String(m['amount'])} ${String(m['currency'])} processed`,
    metadata: (r) => ({ transactionId: `txn_${hex(r, 16)}`, userId: userId(r), amount: amount(r, 5, 2500), currency: r.pick(CURRENCIES), method: r.pick(['card', 'paypal', 'bank_transfer', 'apple_pay']) }),
  },
  'payment.failed': {
    severities: ['medium', 'high', 'critical'],
    sources: ['payment-service', 'billing-service'],
    message: (m) => `Payment failed: ${String(m['reason'])}`,
    metadata: (r) => ({ transactionId: `txn_${hex(r, 16)}`, userId: userId(r), amount: amount(r, 5, 5000), currency: r.pick(CURRENCIES), reason: r.pick(['card_declined', 'insufficient_funds', 'gateway_timeout', 'fraud_suspected']), gateway: r.pick(['stripe', 'adyen', 'braintree']) }),
  },
  'system.error': {
    severities: ['high', 'critical'],
    sources: ['api-gateway', 'order-service', 'inventory-service', 'database', 'cache-cluster'],
    message: (m) => `${String(m['component'])}: ${String(m['error'])}`,
    metadata: (r) => ({
      component: r.pick(['postgres-primary', 'redis-cache', 'order-worker', 'search-index', 'message-queue']),
      error: r.pick(['connection pool exhausted', 'out of memory', 'disk full', 'replication lag above 30 s', 'unhandled exception']),
      errorCode: `E${r.int(1000, 9999)}`,
      host: `node-${r.int(1, 12)}`,
      stackTraceId: hex(r, 12),
    }),
  },
  'system.warning': {
    // A resource near its limit is a warning worth a look: medium, high when nearly full.
    severities: ['medium', 'high'],
    sources: ['monitoring', 'scheduler', 'database', 'cache-cluster'],
    message: (m) => `${String(m['resource'])} at ${String(m['usage'])}% of capacity`,
    metadata: (r, severity) => ({ resource: r.pick(['Disk /var', 'Memory', 'Connection pool', 'Queue depth', 'CPU']), usage: severity === 'high' ? r.int(90, 99) : r.int(75, 89), threshold: 75, host: `node-${r.int(1, 12)}` }),
  },
  'api.request': {
    severities: ['low'],
    sources: ['api-gateway'],
    message: (m) => `${String(m['method'])} ${String(m['endpoint'])} ${String(m['statusCode'])} in ${String(m['responseTime'])} ms`,
    metadata: (r) => {
      const [method, endpoint] = r.pick(ENDPOINTS);
      return { method, endpoint, statusCode: r.pick([200, 200, 200, 201, 204, 304, 400, 404]), responseTime: r.int(8, 450), ipAddress: ip(r) };
    },
  },
  'api.rate_limited': {
    severities: ['medium', 'high'],
    sources: ['api-gateway', 'rate-limiter'],
    message: (m) => `Rate limit exceeded on ${String(m['method'])} ${String(m['endpoint'])}`,
    metadata: (r) => {
      const [method, endpoint] = r.pick(ENDPOINTS);
      const limit = r.pick([60, 100, 600, 1000]);
      return { method, endpoint, statusCode: 429, ipAddress: ip(r), limit, requests: limit + r.int(1, limit), windowSeconds: 60 };
    },
  },
  'auth.failed': {
    severities: ['medium', 'high'],
    sources: ['auth-service', 'web-app'],
    message: (m) => `Failed login for ${String(m['username'])} (${String(m['attempts'])} ${m['attempts'] === 1 ? 'attempt' : 'attempts'})`,
    metadata: (r) => ({ username: `user${r.int(1, 999)}@example.com`, ipAddress: ip(r), attempts: r.int(1, 12), reason: r.pick(['invalid_password', 'unknown_user', 'mfa_failed', 'account_locked']) }),
  },
  'security.alert': {
    severities: ['high', 'critical'],
    sources: ['waf', 'ids', 'auth-service', 'security-scanner'],
    message: (m) => `${String(m['threat'])} detected from ${String(m['ipAddress'])}`,
    metadata: (r) => ({
      threat: r.pick(['SQL injection attempt', 'Brute force attack', 'Suspicious token reuse', 'Port scan', 'Cross-site scripting attempt']),
      ...origin(r),
      blocked: r.next() < 0.8,
      ruleId: `WAF-${r.int(100, 999)}`,
    }),
  },
};

export const EVENT_TYPE_NAMES = Object.keys(EVENT_TYPES);

export { hex };
