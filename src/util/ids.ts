import type { Clock } from './clock.ts';
import type { Random } from './random.ts';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

function suffix(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[random.int(0, ALPHABET.length - 1)];
  return out;
}

/** Client ids look like `client-1700000000000-k3j9x2`, as cerberus clients expect. */
export function createClientId(clock: Clock, random: Random): string {
  return `client-${clock.now()}-${suffix(random, 6)}`;
}

/** Admin request ids look like `req-lq2v3k-8f3a2c`. */
export function createRequestId(clock: Clock, random: Random): string {
  return `req-${clock.now().toString(36)}-${suffix(random, 6)}`;
}
