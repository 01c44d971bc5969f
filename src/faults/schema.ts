/**
 * A fault profile as written (`faults:` on a WebSocket or Server-Sent Events endpoint, or sent to
 * `PUT /admin/faults`): what goes wrong on a client's connection, per message and per connection. One schema
 * for the configuration file and the admin API, so both refuse the same profile with the same words.
 */
import { z } from 'zod';
import { isSendableCloseCode, SENDABLE_CLOSE_CODES_TEXT } from '../util/close-codes.ts';
import { numberOrRangeSchema } from '../util/range.ts';

/** The longest wait a timer takes (2^31 - 1 ms, some 24.8 days): Node fires a longer one at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** A share of messages or clients: 0 (never) to 1 (always). */
const share = (what: string) => z.number().min(0).max(1).describe(`Share of ${what}, 0 to 1, drawn for each.`);

const closeCode = z.number().int().refine(isSendableCloseCode, { message: `expected a close code a server may send: ${SENDABLE_CLOSE_CODES_TEXT}` });

/** When a per-connection fault begins: after so many messages, or so long after the client connected. */
const when = {
  afterMessages: z.number().int().min(1).optional().describe('After this many messages of the profile\'s direction have passed (the last of them delivered first).'),
  after: numberOrRangeSchema({ max: MAX_TIMER_MS }).optional().describe('ms after the client connected (or the profile was switched on), or a range "min-max" drawn per client.'),
};

function needsWhen(value: { afterMessages?: number | undefined; after?: number | string | undefined }, ctx: z.RefinementCtx): void {
  if (value.afterMessages === undefined && value.after === undefined) ctx.addIssue({ code: 'custom', message: 'say when: afterMessages, after (ms), or both (whichever comes first)' });
}

/** The keys of a profile, shared by the profile and each phase of its timeline. */
const profileShape = {
  direction: z.enum(['out', 'in', 'both']).default('out').describe('Which messages the per-message faults touch: out (to the client), in (from it: its rules and dialect never see a dropped one), or both.'),
  clients: share('clients the profile applies to (drawn once per client)').default(1),
  client: z.string().min(1).max(256).optional().describe('Only the client of this id (as /admin/websocket/clients lists it).'),
  scope: z.string().min(1).max(256).optional().describe('Only clients whose connection named this test scope (`?scope=`, the x-mockwave-scope header or the mockwave-scope cookie).'),
  latency: numberOrRangeSchema({ max: 600_000 }).optional().describe('ms each message is held back, or a range "min-max" drawn per message; order is kept (a message never overtakes an earlier one, as on TCP).'),
  drop: share('messages lost').optional(),
  duplicate: share('messages sent twice').optional(),
  corrupt: share('messages corrupted').optional(),
  corruptAs: z.enum(['json', 'truncate']).default('json').describe('How a message is corrupted: json (its last closing bracket turned into an opening one: the frame stays whole, its JSON does not parse) or truncate (cut in half).'),
  disconnect: z
    .strictObject({
      ...when,
      code: closeCode.optional().describe('Close code sent (default 1001, going away).'),
      reason: z.string().refine((reason) => Buffer.byteLength(reason) <= 123, { message: 'at most 123 bytes (UTF-8), as a close frame allows' }).optional(),
      abrupt: z.boolean().default(false).describe('Cut without a close: a TCP reset, as a crashed server or a dropped network does.'),
    })
    .superRefine(needsWhen)
    .optional()
    .describe('Ends the connection once.'),
  stall: z
    .strictObject({
      ...when,
      for: numberOrRangeSchema({ max: MAX_TIMER_MS }).optional().describe('ms the stall lasts (absent: until the connection ends); messages meanwhile are lost.'),
    })
    .superRefine(needsWhen)
    .optional()
    .describe('Keeps the connection open and sends no message (heartbeat comments of Server-Sent Events neither; a WebSocket\'s pings and pongs still go).'),
  refuse: z
    .strictObject({
      status: z.union([z.literal(503), z.literal(429)]).default(503).describe('503 (MW_FAULT_REFUSED) or 429 (MW_FAULT_RATE_LIMITED).'),
      retryAfter: z.number().int().min(0).max(86_400).optional().describe('Seconds, sent as Retry-After.'),
      reset: z.boolean().default(false).describe('Cut each new connection with a TCP reset instead of answering it (a server that is not there).'),
    })
    .optional()
    .describe('Refuses new connections (WebSocket upgrades, Server-Sent Events connects) while the profile is on; connected clients are not touched.'),
};

function noCloseOnReset(profile: { disconnect?: { abrupt: boolean; code?: number | undefined; reason?: string | undefined } | undefined }, ctx: z.RefinementCtx): void {
  const cut = profile.disconnect;
  if (cut?.abrupt === true && (cut.code !== undefined || cut.reason !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['disconnect'], message: 'an abrupt disconnect sends no close frame: leave out code and reason, or abrupt' });
  }
}

/** A phase of a timeline: a profile of its own, on from `at` for `for` ms, again every `every` ms if given. */
const phaseSchema = z
  .strictObject({
    at: z.number().int().min(0).max(MAX_TIMER_MS).describe('ms after the start (or after the profile was put through the admin API) the phase begins.'),
    for: z.number().int().min(1).max(MAX_TIMER_MS).describe('ms it lasts; then the profile around the timeline is back.'),
    every: z.number().int().min(1).max(MAX_TIMER_MS).optional().describe('ms from one beginning to the next: the phase repeats.'),
    ...profileShape,
  })
  .superRefine((phase, ctx) => {
    noCloseOnReset(phase, ctx);
    if (phase.every !== undefined && phase.every < phase.for) ctx.addIssue({ code: 'custom', path: ['every'], message: `a phase repeated every ${phase.every} ms cannot last ${phase.for} ms` });
  });

export const faultProfileSchema = z
  .strictObject({
    ...profileShape,
    timeline: z
      .array(phaseSchema)
      .max(100)
      .optional()
      .describe('Phases that replace the profile for a while: "the feed stalls 5 s every minute", "the backend restarts at 30 s". Where phases overlap, the one begun last applies until it ends.'),
  })
  .superRefine(noCloseOnReset)
  .describe('Faults injected into each client\'s connection (docs/faults.md).');

export type FaultProfileInput = z.input<typeof faultProfileSchema>;
export type FaultProfile = z.output<typeof faultProfileSchema>;
export type FaultPhase = z.output<typeof phaseSchema>;
/** What a profile and a phase both are: the keys of faults, without a timeline. */
export type FaultProfileKeys = Omit<FaultProfile, 'timeline'>;
