/**
 * Streams changed at run time through the admin API: validated by the same schema as the config file, then
 * added, replaced or removed on their endpoint. Subscribers keep their subscriptions (they are by topic).
 */
import type { StreamInfo } from '../admin/snapshot.ts';
import { streamSchema } from '../config/schema.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { formatIssues, issueMessage } from '../errors/schema-issues.ts';
import { validatorFor } from '../data/json-schema.ts';
import type { Endpoint } from '../endpoint/endpoint.ts';
import type { EndpointRegistry } from './registry.ts';

/** How an admin caller names the endpoint when a stream name is on several. */
const HINT = 'add ?endpoint=<path>';

export function createStreamAdmin(registry: EndpointRegistry, running: () => boolean) {
  const describe = (endpoint: Endpoint, name: string): StreamInfo => {
    const stream = endpoint.streams.get(name);
    return {
      endpoint: endpoint.endpoint,
      name,
      topic: stream?.topic ?? name,
      schedule: stream?.schedule ?? '',
      subscribers: endpoint.subscriberCount(stream?.topic ?? name),
      paused: stream?.paused ?? false,
      ticks: stream?.ticks ?? 0,
      last: stream?.last?.map((e) => e.data),
      definition: endpoint.definitions.get(name),
    };
  };

  return {
    streams: () => registry.all.flatMap((e) => [...e.streams.keys()].map((name) => describe(e, name))),
    stream(name: string, path: string | undefined): StreamInfo {
      return describe(registry.holding(name, path, HINT).endpoint, name);
    },
    putStream(definition: unknown, path: string | undefined, mode: 'create' | 'replace', name?: string): unknown {
      const body = { ...(definition as Record<string, unknown>), ...(name === undefined ? {} : { name }) };
      if (name !== undefined && (definition as Record<string, unknown>)['name'] !== undefined && (definition as Record<string, unknown>)['name'] !== name) {
        throw new MockwaveError('MW_BAD_REQUEST', `The body names stream ${String((definition as Record<string, unknown>)['name'])} but the path names ${name}: rename by DELETE and POST`);
      }
      const result = streamSchema.safeParse(body, { error: issueMessage });
      if (!result.success) {
        const problems = formatIssues(result.error.issues);
        throw new MockwaveError('MW_BAD_REQUEST', `Invalid stream: ${problems.join('; ')}`, { details: problems });
      }
      const endpoint = mode === 'create' ? registry.target(path) : registry.holding(result.data.name, path, HINT).endpoint;
      if (mode === 'create' && endpoint.streams.has(result.data.name)) {
        throw new MockwaveError('MW_STREAM_EXISTS', `Stream ${result.data.name} already exists on ${endpoint.endpoint}: use PUT to change it`);
      }
      endpoint.put(result.data, running());
      return describe(endpoint, result.data.name);
    },
    /**
     * Why `data` does not match the schema of a stream made from one (the `jsonSchema` generator, as AsyncAPI
     * imports are), or undefined. A person publishing by hand is never stopped: this only tells them.
     */
    schemaProblem(name: string, path: string | undefined, data: unknown): string | undefined {
      const definition = registry.holding(name, path, HINT).endpoint.definitions.get(name);
      if (definition?.generator !== 'jsonSchema' || data === undefined) return undefined;
      return validatorFor((definition.options as { schema?: unknown } | undefined)?.schema)(data);
    },
    removeStream(name: string, path: string | undefined): void {
      registry.holding(name, path, HINT).endpoint.remove(name);
    },
    /**
     * pause / resume its schedule, tick now (delivered like any tick), or render a payload without sending
     * it (what the dashboard's composer starts from).
     */
    controlStream(name: string, path: string | undefined, action: 'pause' | 'resume' | 'tick' | 'render'): unknown {
      const { endpoint, stream } = registry.holding(name, path, HINT);
      if (action === 'render') return { ...describe(endpoint, name), rendered: stream.render().map((e) => e.data) };
      if (action === 'pause') stream.pause();
      else if (action === 'resume') stream.resume();
      else stream.tick();
      return describe(endpoint, name);
    },
  };
}

export type StreamAdmin = ReturnType<typeof createStreamAdmin>;
