/**
 * The `http:` settings, as the configuration schema takes them (config/schema.ts composes the sections): the
 * routes, the fallback and the limits of the HTTP side.
 */
import { z } from 'zod';
import { RECORD_MAX_BYTES } from '../recording/recording-file.ts';
import { collectionsSchema } from './collection.ts';
import { httpRouteSchema } from './schema.ts';

/** A host of `http.forwardAllow`: a name or an address (IPv6 in brackets), without scheme, port or path. */
const forwardHostSchema = z.string().refine((host) => {
  if (!/^(?:\[[0-9A-Fa-f:.]+\]|[^:/?#@[\]\s]+)$/.test(host)) return false;
  try {
    return new URL(`http://${host}`).hostname !== '';
  } catch {
    return false;
  }
}, 'expected a host name or address without scheme, port or path (example.com, 10.0.0.5, [::1])');

/** The `http:` section. */
export const httpSettingsSchema = z
      .strictObject({
        routes: z.array(httpRouteSchema).default([]).describe('HTTP routes on the same port: a method and path, conditions, and the steps that answer.'),
        collections: collectionsSchema,
        fallback: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }).optional().describe('A real API that gets every request no route answers (instead of 404).'),
        maxBodyBytes: z.number().int().min(0).default(1024 * 1024).describe('Largest request body a route or the fallback takes; larger is refused with 413.'),
        bodyTimeout: z.number().int().min(100).default(10_000).describe('ms a request body may take to arrive; slower is refused with 408.'),
        rateLimit: z
          .strictObject({
            requestsPerSecond: z.number().positive().describe('Average requests per second from one client address.'),
            burst: z.number().int().min(1).optional().describe('Requests allowed at once (default: twice the rate).'),
          })
          .optional()
          .describe('Per-client-address limit on HTTP requests (routes, the fallback, Server-Sent Events connects; not the admin API): over it, 429 with Retry-After.'),
        forwardTimeout: z.number().int().min(100).default(30_000).describe('ms a forwarded request (forward steps, the fallback) may wait for the real API\'s answer.'),
        record: z.string().min(1).optional().describe('Directory where every exchange with the real API (fallback, forward) is recorded as JSON Lines (also --record).'),
        recordMaxBodyBytes: z.number().int().min(0).default(1024 * 1024).describe('Bytes of a body kept in a recording; longer bodies are cut and marked.'),
        adminFilesDir: z.string().min(1).optional().describe('Folder (relative to the configuration\'s) whose files routes added through the admin API may send with `file` (never a `.env` file); unset, such routes may send no file.'),
        forwardAllow: z
          .array(forwardHostSchema)
          .optional()
          .describe('Hosts (names or addresses, any port) that routes added through the admin API may `forward` to; default: loopback names and the hosts this configuration itself forwards or proxies to.'),
        recordMaxBytes: z.number().int().min(1).default(RECORD_MAX_BYTES).describe('Bytes the recording folder may take from this run (what this process writes; files already there do not count); then recording there stops, logged once and counted.'),
      })
      .prefault({})
      .describe('The REST side: HTTP routes answered by the same templates and matchers, and a fallback to a real API.');
