/**
 * A new connection refused by a fault profile (`faults.refuse`): the refusal both doors answer with (a
 * WebSocket upgrade in src/server/gate.ts, a Server-Sent Events connect in src/sse/side.ts), its
 * Retry-After, or a TCP reset in place of an answer.
 */
import { refusal, type Refusal } from '../errors/refusal.ts';
import type { DoorFault } from '../faults/index.ts';

export interface DoorRefusal {
  readonly refusal: Refusal;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly reset: boolean;
}

export function doorRefusal(door: DoorFault, path: string): DoorRefusal {
  const code = door.status === 429 ? 'MW_FAULT_RATE_LIMITED' : 'MW_FAULT_REFUSED';
  return {
    refusal: refusal(code, `New connections to ${path} are refused for now (an injected fault: faults.refuse)`),
    headers: door.retryAfter === undefined ? undefined : { 'Retry-After': String(door.retryAfter) },
    reset: door.reset,
  };
}
