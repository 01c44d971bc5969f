/**
 * The `websocket:` settings and the permessage-deflate setting, as the configuration schema takes them: the
 * transport owns what its own knobs mean (config/schema.ts composes the sections).
 */
import { z } from 'zod';

const windowBits = z.number().int().min(8).max(15);

/** permessage-deflate: off (default), on with ws's defaults, or tuned. */
export const deflateSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        threshold: z.number().int().min(0).optional().describe('Messages smaller than this many bytes are sent uncompressed (default 1024). ws applies it only with serverNoContextTakeover: with context takeover it compresses every message.'),
        level: z.number().int().min(0).max(9).optional().describe('zlib compression level, 0-9 (default 6).'),
        memLevel: z.number().int().min(1).max(9).optional().describe('zlib memory level, 1-9: lower uses less memory per connection and compresses less (default 8).'),
        serverMaxWindowBits: windowBits.optional().describe('Largest window the server compresses with, 8-15 (default 15): smaller saves memory per connection.'),
        clientMaxWindowBits: windowBits.optional().describe('Largest window the peer may compress with, 8-15.'),
        serverNoContextTakeover: z.boolean().optional().describe('Compress each server message on its own (no shared history between messages).'),
        clientNoContextTakeover: z.boolean().optional().describe('Ask the peer to compress each message on its own.'),
        concurrencyLimit: z.number().int().min(1).optional().describe('zlib operations run at once, across all connections (default 10).'),
      }),
    ],
    { error: 'expected true, false or an object of permessage-deflate options (threshold, level, memLevel, serverMaxWindowBits, clientMaxWindowBits, serverNoContextTakeover, clientNoContextTakeover, concurrencyLimit)' },
  )
  .default(false);


export const websocketSettingsSchema = z.strictObject({
  enabled: z.boolean().default(true).describe('Accept WebSocket upgrades at all.'),
  heartbeatInterval: z.number().int().min(0).default(30_000).describe('Protocol ping every N ms; a client silent until the next one is dropped. 0 turns it off.'),
  maxPayload: z.number().int().min(1).default(10 * 1024 * 1024).describe('Largest client message in bytes; larger closes with 1009.'),
  handshakeTimeout: z
    .number()
    .int()
    .min(100)
    .default(10_000)
    .describe('ms a connection may take to send its request headers (a handshake that never finishes is closed with 408).'),
  rateLimit: z
    .strictObject({
      messagesPerSecond: z.number().positive().describe('Average client messages per second.'),
      burst: z.number().int().min(1).optional().describe('Messages allowed at once (default: twice the rate).'),
      closeAfter: z.number().int().min(1).default(100).describe('Refused messages in a row before the client is closed with 1008.'),
    })
    .optional()
    .describe('Per-client limit on incoming messages: over it a client gets an error and the message is ignored.'),
  maxSubscriptions: z.number().int().min(1).default(100).describe('Topics one client may subscribe to at once.'),
  maxConnections: z.number().int().min(1).optional().describe('Most WebSocket clients at once; more are refused with 503.'),
  maxBufferedBytes: z
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024)
    .describe('Outgoing bytes a client may have queued before messages to it are dropped (and counted): broadcasts, replies, pongs, scripts, admin sends.'),
  slowClientGrace: z.number().int().min(0).default(10_000).describe('ms a client may stay over maxBufferedBytes before it is closed with 1013 (its socket is destroyed 1 s later if it does not answer).'),
  maxQueuedBytes: z
    .number()
    .int()
    .min(1024)
    .default(128 * 1024 * 1024)
    .describe('Outgoing bytes all clients together may have queued; while over, messages to clients that have bytes waiting are dropped (and counted).'),
});
