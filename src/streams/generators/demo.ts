/**
 * Generators behind the built-in demo: a stock ticker whose price drifts and a notification feed. They make
 * `npm start` show data that moves, before a user has written any configuration.
 */
import { z } from 'zod';
import { roundTo } from '../../util/round.ts';
import { defineGenerator } from './types.ts';

export const tickerGenerator = defineGenerator({
  description: 'A stock quote whose price moves as a bounded random walk: symbol, price, change, changePercent, volume.',
  options: z.strictObject({
    symbol: z.string().min(1).default('MOCK'),
    price: z.number().positive().default(100.5),
    /** Largest move per tick, in percent of the price. */
    volatility: z.number().min(0).max(50).default(0.5),
  }),
  create(options, { random }) {
    const open = options.price;
    let price = open;
    let volume = 0;
    return () => {
      const step = (random.next() * 2 - 1) * (options.volatility / 100) * price;
      price = roundTo(Math.min(open * 10, Math.max(open / 10, price + step)), 2);
      volume += random.int(100, 5000);
      const change = roundTo(price - open, 2);
      return [{ data: { symbol: options.symbol, price, change, changePercent: roundTo((change / open) * 100, 2), volume } }];
    };
  },
});

const NOTIFICATIONS = {
  info: ['System update scheduled for tonight', 'New version available', 'Your report is ready to download'],
  success: ['Backup completed', 'Payment received', 'Profile updated'],
  warning: ['Disk usage above 80%', 'Password expires in 3 days', 'Unusual sign-in location'],
  error: ['Sync failed, retrying', 'Export job crashed', 'Webhook delivery failed'],
} as const;
const KINDS = Object.keys(NOTIFICATIONS) as (keyof typeof NOTIFICATIONS)[];

export const notificationGenerator = defineGenerator({
  description: 'A user notification: id, type (info, success, warning, error), message, read flag.',
  options: z.strictObject({}),
  create(_options, { random }) {
    let n = 0;
    return () => {
      const type = random.pick(KINDS);
      n += 1;
      return [{ data: { id: `ntf-${n}`, type, message: random.pick(NOTIFICATIONS[type]), read: false } }];
    };
  },
});
