/**
 * Builds what a validated configuration describes: the endpoints with their streams and rules, the proxy
 * with its recorder, the TLS material. Files the configuration names (recordings to replay, CA
 * certificates, TLS keys) are read now, so a missing one is a configuration error before anything
 * listens, never a failure on the first connection; every such problem is reported at once.
 */
import { readFileSync } from 'node:fs';
import type { MockwaveConfig } from '../config/schema.ts';
import { configError } from '../config/validate.ts';
import { encodeGuide } from '../dialects/guide.ts';
import { isMockwaveError } from '../errors/catalog.ts';
import { errorMessage } from '../errors/error-message.ts';
import type { Logger } from '../log/logger.ts';
import { Recorder } from '../recording/ws-recorder.ts';
import { ProxyRouter } from '../proxy/router.ts';
import type { RecordingBudgets } from '../recording/recording-file.ts';
import type { Redactor } from '../security/redact.ts';
import { tokenMatches } from '../security/tokens.ts';
import { displayPath } from '../util/path-pattern.ts';
import { Endpoint, type EndpointContext } from '../endpoint/endpoint.ts';
import { EndpointJournal } from '../endpoint/journaled.ts';
import type { Journal } from '../journal/index.ts';

/** A recording being written: stopping the server waits for `end()`. */
export interface Flushable {
  end(): Promise<void>;
}

export interface Built {
  readonly endpoints: readonly Endpoint[];
  readonly proxy: ProxyRouter | undefined;
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  /** Open recordings (WebSocket sessions, the HTTP exchanges); stopping waits until each is flushed to disk. */
  readonly recordings: Set<Flushable>;
}

export function buildServer(config: MockwaveConfig, context: EndpointContext, redact: Redactor, budgets: RecordingBudgets): Built {
  const problems: string[] = [];
  // Only unreadable files are collected here; any other error from building is a bug and is thrown as is.
  const attempt = <T>(build: () => T): T | undefined => {
    try {
      return build();
    } catch (error) {
      if (!isMockwaveError(error, 'MW_CONFIG_FILE_UNREADABLE')) throw error;
      problems.push(error.message);
      return undefined;
    }
  };
  const endpoints = config.endpoints.flatMap((c) => attempt(() => new Endpoint(c, context)) ?? []);
  const recordings = new Set<Flushable>();
  const proxy = config.proxy.enabled ? attempt(() => createProxy(config, { now: context.clock.now.bind(context.clock), logger: context.logger, redact, recordings, budgets, journal: context.journal })) : undefined;
  let tls: Built['tls'];
  if (config.tls !== undefined) {
    try {
      tls = { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key) };
    } catch (error) {
      problems.push(`tls: cannot read the certificate or key: ${errorMessage(error)}`);
    }
  }
  if (problems.length > 0) throw configError(problems);
  return { endpoints, proxy, tls, recordings };
}

/** Where the proxy's routes live: `proxy.path`, else the first endpoint's path + `/proxy`. */
export function proxyPathOf(config: MockwaveConfig): string {
  return config.proxy.path ?? `${displayPath(config.endpoints[0]?.path ?? '/ws').replace(/\/+$/, '')}/proxy`;
}

/** Each route's recording folder and its cap: the route's own, else the proxy's. */
function recordFolder(config: MockwaveConfig, route: MockwaveConfig['proxy']['routes'][number]): { dir: string; maxBytes: number } | undefined {
  const dir = route.record ?? config.proxy.record;
  return dir === undefined ? undefined : { dir, maxBytes: route.recordMaxBytes ?? config.proxy.recordMaxBytes };
}

interface ProxyParts {
  readonly now: () => number;
  readonly logger: Logger;
  readonly redact: Redactor;
  readonly recordings: Set<Flushable>;
  readonly budgets: RecordingBudgets;
  readonly journal: Journal | undefined;
}

function createProxy(config: MockwaveConfig, parts: ProxyParts): ProxyRouter {
  const { now, logger, redact, recordings, budgets, journal } = parts;
  // The proxy's clients are journaled as one endpoint's (the proxy's path); what the upstream sends is `proxy`.
  const journaled = journal === undefined ? undefined : new EndpointJournal(journal, 'websocket', proxyPathOf(config), false);
  // Every folder is known (and shown in the figures) from the start, its cap the smallest any setting gives.
  for (const route of config.proxy.routes) {
    const folder = recordFolder(config, route);
    if (folder !== undefined) budgets.folder(folder.dir, folder.maxBytes);
  }
  return new ProxyRouter({
    path: proxyPathOf(config),
    routes: config.proxy.routes,
    maxPayload: config.websocket.maxPayload,
    consumed: (token) => config.auth.enabled && tokenMatches(token, config.auth.tokens),
    observe:
      journaled === undefined
        ? undefined
        : (peer, request) => {
            journaled.open(peer, request);
            return (code, reason) => journaled.close(peer, code, reason);
          },
    context: {
      maxBufferedBytes: config.websocket.maxBufferedBytes,
      redactUrl: (url) => redact.url(url),
      now,
      record: (route, peer, upstream, headers) => {
        const folder = recordFolder(config, route);
        if (folder === undefined) return undefined;
        const { dir } = folder;
        const budget = budgets.folder(dir, folder.maxBytes);
        if (!budget.admits()) return undefined;
        let recorder: Recorder;
        try {
          recorder = new Recorder(dir, { route: route.name, url: upstream.url, path: peer.url, headers, protocol: upstream.protocol, announced: route.announce, clientId: peer.id, now: now() }, redact, budget, (error) => logger.error(`Cannot write the recording of ${route.name} for ${peer.id}: ${errorMessage(error)}`, { clientId: peer.id, route: route.name }));
        } catch (error) {
          // The session goes on unrecorded: a recording that cannot be made must not end the proxy.
          logger.error(`Cannot record ${route.name} for ${peer.id} in ${dir}: ${errorMessage(error)}`, { clientId: peer.id, route: route.name });
          return undefined;
        }
        recordings.add(recorder);
        void recorder.finished.then(() => recordings.delete(recorder));
        logger.info(`Recording ${route.name} for ${peer.id} to ${recorder.path}`, { clientId: peer.id, route: route.name, file: recorder.path });
        return recorder;
      },
      connected: (peer, route) => encodeGuide({ kind: 'proxy_connected', clientId: peer.id, route, at: now() }),
      failed: (route, reason) => encodeGuide({ kind: 'error', code: 'MW_PROXY_UPSTREAM_FAILED', error: `Proxy route ${route} failed: ${reason}`, at: now() }),
      log: (level, message, fields) => logger[level](message, fields),
    },
  });
}
