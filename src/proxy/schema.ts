/**
 * The `proxy:` settings and a proxy route, as the configuration schema takes them (config/schema.ts composes
 * the sections): the proxy owns the meaning of its settings and never imports the configuration.
 */
import { z } from 'zod';
import { RECORD_MAX_BYTES } from '../recording/recording-file.ts';
import { deflateSchema } from '../transport/settings.ts';

export const proxyRouteSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]+$/, { message: 'expected letters, digits, "_", "." or "-"' }),
  url: z.url({ protocol: /^wss?$/, error: 'expected a ws:// or wss:// URL' }),
  announce: z.boolean().default(true).describe('Send the guide\'s proxy_connected message once the upstream is open.'),
  forwardAuth: z.boolean().default(true).describe('Forward the client\'s Authorization and Cookie headers and its subprotocols.'),
  headers: z.record(z.string(), z.string()).default({}).describe('Headers added to the upstream handshake (an API key kept out of front-end code).'),
  dropHeaders: z.array(z.string()).default([]).describe('Client headers never forwarded.'),
  query: z.record(z.string(), z.string()).default({}).describe('Query parameters added to the upstream URL.'),
  connectTimeout: z.number().int().min(1).default(10_000).describe('ms to wait for the upstream handshake.'),
  tls: z
    .strictObject({
      ca: z.string().min(1).optional().describe('Path of a PEM file with the CA that signed the upstream certificate.'),
      rejectUnauthorized: z.boolean().default(true).describe('false accepts a self-signed upstream (local only).'),
    })
    .optional(),
  maxQueue: z.number().int().min(0).default(1000).describe('Client messages held while the upstream opens; more closes the client with 1013.'),
  maxQueueBytes: z.number().int().min(0).optional().describe('Bytes of client messages held while the upstream opens (default: websocket.maxPayload); more closes the client with 1013.'),
  slowPeer: z.enum(['pause', 'drop']).default('pause').describe('When one side cannot keep up: stop reading the other side, or drop its messages (counted).'),
  record: z.string().min(1).optional().describe('Directory where each session of this route is recorded as JSON Lines.'),
  recordMaxBytes: z.number().int().min(1).optional().describe('Bytes this route\'s recording folder may take from this run (default: proxy.recordMaxBytes); then recording there stops, logged once and counted.'),
  perMessageDeflate: deflateSchema.describe('Negotiate permessage-deflate with clients of this route that offer it: false (default), true, or options.'),
  upstreamPerMessageDeflate: deflateSchema.describe('Offer permessage-deflate to the upstream (used if it accepts): false (default), true, or options. Each side is negotiated on its own.'),
});

/** The `proxy:` section. */
export const proxySettingsSchema = z
      .strictObject({
        enabled: z.boolean().default(false),
        record: z.string().min(1).optional().describe('Directory where every proxied session is recorded (also --record).'),
        recordMaxBytes: z.number().int().min(1).default(RECORD_MAX_BYTES).describe('Bytes the recording folder may take from this run (what this process writes; files already there do not count); then recording there stops, logged once and counted.'),
        path: z.string().regex(/^\/[^\s?#]*[^/\s?#]$/, { message: 'expected a path like /ws/proxy' }).optional().describe('Where routes live; default: the first endpoint\'s path + /proxy.'),
        routes: z.array(proxyRouteSchema).default([]),
      })
      .prefault({});

export type ProxyRouteConfig = z.output<typeof proxyRouteSchema>;
