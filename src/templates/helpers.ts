/**
 * Template helpers. They read shared run-time services (seeded randomness, faker, the clock, global
 * counters) and per-call-site state from Handlebars' data frame, so one compiled template serves every
 * render without closures per message.
 */
import { dottedKeys, forbiddenKey } from '../util/path.ts';
import type { Faker } from '@faker-js/faker';
import type { HelperOptions } from 'handlebars';
import { isoTime } from '../util/iso-time.ts';
import { roundTo } from '../util/round.ts';
import type { Clock } from '../util/clock.ts';
import type { Random } from '../util/random.ts';

/** Services shared by every template of a server. */
export interface TemplateServices {
  readonly random: Random;
  readonly faker: Faker;
  readonly clock: Clock;
  /** Named counters shared by every template (`{{counter scope='global' name='orders'}}`). */
  readonly counters: Map<string, number>;
}

/** The data frame each render carries: services plus the state of this template's call sites. */
export interface FrameData {
  readonly services: TemplateServices;
  readonly state: Map<string, unknown>;
  readonly clientId: string | undefined;
}

type Options = HelperOptions & { loc?: { start: { line: number; column: number } } };

/** Splits Handlebars' (...params, options) calling convention. */
function split(args: unknown[]): { params: unknown[]; hash: Record<string, unknown>; data: FrameData; options: Options } {
  const options = args[args.length - 1] as Options;
  args.length -= 1;
  return { params: args, hash: options.hash as Record<string, unknown>, data: options.data as FrameData, options };
}

/** Where in its template a helper is called: the key of that call's own state (walk, seq, counter). */
function siteOf(options: Options): string {
  const loc = options.loc?.start;
  return loc === undefined ? '?' : `${loc.line}:${loc.column}`;
}

const num = (value: unknown, name: string): number => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || Number.isNaN(n)) throw new TypeError(`${name}: expected a number, got ${JSON.stringify(value)}`);
  return n;
};


function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `now`: ISO by default; 'epoch' (ms), 'unix' (s), or a pattern of YYYY MM DD HH mm ss SSS, in UTC. */
function formatTime(at: number, format: unknown): string | number {
  if (format === undefined || format === 'iso') return isoTime(at);
  if (format === 'epoch' || format === 'ms') return at;
  if (format === 'unix') return Math.floor(at / 1000);
  const d = new Date(at);
  return String(format).replace(/YYYY|MM|DD|HH|mm|ss|SSS/g, (token) => {
    switch (token) {
      case 'YYYY': return String(d.getUTCFullYear());
      case 'MM': return pad(d.getUTCMonth() + 1);
      case 'DD': return pad(d.getUTCDate());
      case 'HH': return pad(d.getUTCHours());
      case 'mm': return pad(d.getUTCMinutes());
      case 'ss': return pad(d.getUTCSeconds());
      default: return pad(d.getUTCMilliseconds(), 3);
    }
  });
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A version 4 UUID from the seeded generator, built by table lookups: it sits on the reply path. */
export function uuid(random: Random): string {
  let out = '';
  for (let word = 0; word < 4; word++) {
    let bits = Math.floor(random.next() * 4294967296);
    for (let i = 0; i < 4; i++) {
      const index = word * 4 + i;
      let byte = bits & 0xff;
      bits >>>= 8;
      if (index === 6) byte = (byte & 0x0f) | 0x40;
      else if (index === 8) byte = (byte & 0x3f) | 0x80;
      if (index === 4 || index === 6 || index === 8 || index === 10) out += '-';
      out += HEX[byte] as string;
    }
  }
  return out;
}

function callFaker(faker: Faker, path: unknown, params: unknown[], hash: Record<string, unknown>): unknown {
  if (typeof path !== 'string') throw new TypeError('faker: the first argument is a method path such as \'person.fullName\'');
  let target: unknown = faker;
  let owner: unknown = faker;
  // faker's methods are inherited (class methods), so this walk cannot be own-properties only; it refuses
  // the names that lead out of faker instead (a path may come from a message: {{faker message.m}}).
  const parts = dottedKeys(path);
  if (forbiddenKey(parts) !== undefined) throw new TypeError(`faker: no method ${path}`);
  for (const part of parts) {
    owner = target;
    target = (target as Record<string, unknown> | undefined)?.[part];
  }
  if (typeof target !== 'function') throw new TypeError(`faker: no method ${path}`);
  // A copy: the hash may be shared by every call of this site (see direct.ts), and faker may write to its options.
  const args = Object.keys(hash).length > 0 ? [...params, { ...hash }] : params;
  return (target as (...a: unknown[]) => unknown).apply(owner, args);
}

export const HELPERS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  faker: (...args) => {
    const { params, hash, data } = split(args);
    return callFaker(data.services.faker, params[0], params.slice(1), hash);
  },
  uuid: (...args) => uuid(split(args).data.services.random),
  now: (...args) => {
    const { params, data } = split(args);
    return formatTime(data.services.clock.now(), params[0]);
  },
  int: (...args) => {
    const { params, hash, data } = split(args);
    const min = num(params[0] ?? hash['min'] ?? 0, 'int');
    const max = num(params[1] ?? hash['max'] ?? 100, 'int');
    return data.services.random.int(Math.ceil(min), Math.floor(max));
  },
  float: (...args) => {
    const { params, hash, data } = split(args);
    const min = num(params[0] ?? hash['min'] ?? 0, 'float');
    const max = num(params[1] ?? hash['max'] ?? 1, 'float');
    return roundTo(min + data.services.random.next() * (max - min), num(hash['precision'] ?? 2, 'float precision'));
  },
  pick: (...args) => {
    const { params, data } = split(args);
    const items = params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params;
    return data.services.random.pick(items);
  },
  bool: (...args) => {
    const { params, hash, data } = split(args);
    return data.services.random.next() < num(params[0] ?? hash['p'] ?? 0.5, 'bool');
  },
  counter: (...args) => {
    const { hash, data, options } = split(args);
    const site = siteOf(options);
    const start = num(hash['start'] ?? 1, 'counter start');
    const step = num(hash['step'] ?? 1, 'counter step');
    const scope = hash['scope'] ?? 'stream';
    let key: string;
    let store: Map<string, unknown> = data.state;
    if (scope === 'global') {
      key = String(hash['name'] ?? 'default');
      store = data.services.counters as Map<string, unknown>;
    } else if (scope === 'client') key = `counter:${site}:${data.clientId ?? '-'}`;
    else key = `counter:${site}`;
    const previous = store.get(key) as number | undefined;
    const value = previous === undefined ? start : previous + step;
    store.set(key, value);
    return value;
  },
  walk: (...args) => {
    const { params, hash, data, options } = split(args);
    const site = siteOf(options);
    const start = num(params[0] ?? hash['start'] ?? 100, 'walk start');
    const step = num(params[1] ?? hash['step'] ?? 1, 'walk step');
    const min = num(hash['min'] ?? -Infinity, 'walk min');
    const max = num(hash['max'] ?? Infinity, 'walk max');
    const key = `walk:${site}`;
    const previous = data.state.get(key) as number | undefined;
    let value = previous === undefined ? start : previous + (data.services.random.next() * 2 - 1) * step;
    value = Math.min(max, Math.max(min, value));
    const rounded = roundTo(value, num(hash['precision'] ?? 2, 'walk precision'));
    data.state.set(key, value);
    return rounded;
  },
  seq: (...args) => {
    const { params, data, options } = split(args);
    const site = siteOf(options);
    const items = params.length === 1 && Array.isArray(params[0]) ? (params[0] as unknown[]) : params;
    if (items.length === 0) throw new TypeError('seq: needs at least one item');
    const key = `seq:${site}`;
    const index = (data.state.get(key) as number | undefined) ?? 0;
    data.state.set(key, index + 1);
    return items[index % items.length];
  },
  json: (...args) => JSON.stringify(split(args).params[0]),
  add: (...args) => split(args).params.reduce<number>((a, b) => a + num(b, 'add'), 0),
  subtract: (...args) => {
    const [a, b] = split(args).params;
    return num(a, 'subtract') - num(b, 'subtract');
  },
  multiply: (...args) => split(args).params.reduce<number>((a, b) => a * num(b, 'multiply'), 1),
  divide: (...args) => {
    const [a, b] = split(args).params;
    return num(a, 'divide') / num(b, 'divide');
  },
  mod: (...args) => {
    const [a, b] = split(args).params;
    return num(a, 'mod') % num(b, 'mod');
  },
  round: (...args) => {
    const [a, precision] = split(args).params;
    return roundTo(num(a, 'round'), precision === undefined ? 0 : num(precision, 'round precision'));
  },
  min: (...args) => Math.min(...split(args).params.map((p) => num(p, 'min'))),
  max: (...args) => Math.max(...split(args).params.map((p) => num(p, 'max'))),
  eq: (...args) => {
    const [a, b] = split(args).params;
    return a === b;
  },
  ne: (...args) => {
    const [a, b] = split(args).params;
    return a !== b;
  },
  lt: (...args) => {
    const [a, b] = split(args).params;
    return num(a, 'lt') < num(b, 'lt');
  },
  lte: (...args) => {
    const [a, b] = split(args).params;
    return num(a, 'lte') <= num(b, 'lte');
  },
  gt: (...args) => {
    const [a, b] = split(args).params;
    return num(a, 'gt') > num(b, 'gt');
  },
  gte: (...args) => {
    const [a, b] = split(args).params;
    return num(a, 'gte') >= num(b, 'gte');
  },
  and: (...args) => split(args).params.every(Boolean),
  or: (...args) => split(args).params.some(Boolean),
  not: (...args) => !split(args).params[0],
};

export const HELPER_NAMES: ReadonlySet<string> = new Set(Object.keys(HELPERS));
