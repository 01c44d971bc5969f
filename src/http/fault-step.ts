/**
 * `fault`: an answer that goes wrong on purpose, as a real API's does under trouble (docs/faults.md): a reset
 * with no answer at all, a body cut short (its whole length declared, a part sent, the connection closed), or
 * a body that trickles a chunk at a time for a long while. A status and latency are `respond` and `delay`.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import { resetSocket } from '../util/reset-socket.ts';

/** nginx's "no response": how a request answered with a reset is counted and journaled. */
export const NO_ANSWER = 444;
/** The longest a trickle may last (1 h): a client that keeps reading costs a timer that long, no more. */
const MAX_TRICKLE_MS = 3_600_000;

export const faultStepSchema = z.preprocess(
  (value) => (value === 'reset' ? { reset: true } : value),
  z
    .strictObject({
      reset: z.literal(true).optional().describe('Cut the connection with a TCP reset instead of answering (counted as 444).'),
      status: z.number().int().min(200).max(599).default(200).describe('The status of a cut or trickled answer.'),
      body: z.string().max(1024 * 1024).default('').describe('The body a cut answer declares whole and sends a part of.'),
      cutAfter: z.number().int().min(0).optional().describe('Bytes of `body` sent before the connection is closed; its whole length is declared.'),
      trickle: z
        .strictObject({
          chunk: z.string().min(1).max(65_536).default(' ').describe('What is sent each time.'),
          every: z.number().int().min(1).max(MAX_TRICKLE_MS).default(1000).describe('ms between chunks.'),
          for: z.number().int().min(1).max(MAX_TRICKLE_MS).default(60_000).describe('ms it goes on; then the connection is closed without an end of body.'),
        })
        .optional()
        .describe('A body that never ends: a chunk every `every` ms, for `for` ms.'),
    })
    .superRefine((fault, ctx) => {
      const ways = [fault.reset === true, fault.cutAfter !== undefined, fault.trickle !== undefined].filter(Boolean).length;
      if (ways !== 1) ctx.addIssue({ code: 'custom', message: 'say one way: reset, cutAfter (with a body), or trickle' });
      if (fault.cutAfter !== undefined && fault.cutAfter >= Buffer.byteLength(fault.body)) ctx.addIssue({ code: 'custom', path: ['cutAfter'], message: `cutAfter must be under the body's ${Buffer.byteLength(fault.body)} bytes, or nothing is cut` });
    }),
);

export type FaultStep = z.output<typeof faultStepSchema>;

/** What answering a fault needs of the server: its clock, through the response (a wait ends when the client leaves). */
export interface FaultHost {
  wait(response: ServerResponse, ms: number): Promise<boolean>;
}

/** Answers (or does not) as the fault says; resolves to the status counted and journaled. */
export function answerWithFault(fault: FaultStep, response: ServerResponse, host: FaultHost): number | Promise<number> {
  const socket = response.socket;
  if (fault.reset === true || socket === null) {
    if (socket !== null) resetSocket(socket);
    else response.destroy();
    return NO_ANSWER;
  }
  if (fault.cutAfter !== undefined) {
    const body = Buffer.from(fault.body);
    response.writeHead(fault.status, { 'content-length': String(body.length) });
    // Written, then the connection closed once the part has left: the client reads it, then an early end.
    response.write(body.subarray(0, fault.cutAfter), () => socket.destroy());
    return fault.status;
  }
  const trickle = fault.trickle as NonNullable<FaultStep['trickle']>;
  return (async () => {
    response.writeHead(fault.status, { 'content-type': 'text/plain; charset=utf-8' });
    response.flushHeaders();
    for (let sent = 0; sent < trickle.for; sent += trickle.every) {
      if (response.destroyed) return fault.status;
      response.write(trickle.chunk);
      if (!(await host.wait(response, trickle.every))) return fault.status;
    }
    // Cut without the chunked body's end: the client sees the answer break off, as a dropped backend's does.
    socket.destroy();
    return fault.status;
  })();
}

export function explainFault(fault: FaultStep): string {
  if (fault.reset === true) return 'fault: reset, no answer';
  if (fault.cutAfter !== undefined) return `fault: ${fault.status}, the body cut after ${fault.cutAfter} of ${Buffer.byteLength(fault.body)} bytes`;
  const trickle = fault.trickle as NonNullable<FaultStep['trickle']>;
  return `fault: ${fault.status}, a body trickled ${Buffer.byteLength(trickle.chunk)} byte(s) every ${trickle.every} ms for ${trickle.for} ms`;
}
