/**
 * Streams changed at run time through the admin API: validated by the same schema as the config file, then
 * added, replaced or removed on their endpoint. Subscribers keep their subscriptions (they are by topic).
 */
import { streamSchema } from '../config/schema.ts';
import { MockwaveError } from '../errors/catalog.ts';
import { formatIssues, issueMessage } from '../errors/schema-issues.ts';
import type { Endpoint } from './endpoint.ts';

export function createStreamAdmin(endpoints: readonly Endpoint[], running: () => boolean) {
  const describe = (endpoint: Endpoint, name: string) => {
    const stream = endpoint.streams.get(name);
    return {
      endpoint: endpoint.endpoint,
      name,
      topic: stream?.topic ?? name,
      schedule: stream?.schedule ?? '',
      subscribers: endpoint.hub.subscribers(stream?.topic ?? name).size,
      paused: stream?.paused ?? false,
      ticks: stream?.ticks ?? 0,
      last: stream?.last?.map((e) => e.data),
      definition: endpoint.definitions.get(name),
    };
  };

  /** The endpoint named, or the one holding `name`, or (to create) the first one. */
  const pick = (path: string | undefined, name: string | undefined, creating: boolean): Endpoint => {
    if (path !== undefined) {
      const endpoint = endpoints.find((e) => e.endpoint === path);
      if (endpoint === undefined) throw new MockwaveError('MW_UNKNOWN_ENDPOINT', `No endpoint ${path}`);
      return endpoint;
    }
    if (!creating && name !== undefined) {
      const holding = endpoints.filter((e) => e.streams.has(name));
      if (holding.length > 1) throw new MockwaveError('MW_AMBIGUOUS_STREAM', `Stream ${name} exists on several endpoints (${holding.map((e) => e.endpoint).join(', ')}): add ?endpoint=`);
      if (holding[0] !== undefined) return holding[0];
      throw new MockwaveError('MW_UNKNOWN_STREAM', `Unknown stream: ${name}`);
    }
    const first = endpoints[0];
    if (first === undefined) throw new MockwaveError('MW_UNKNOWN_ENDPOINT', 'The server has no endpoint to add a stream to');
    return first;
  };

  return {
    streams: () => endpoints.flatMap((e) => [...e.streams.keys()].map((name) => describe(e, name))),
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
      const endpoint = pick(path, result.data.name, mode === 'create');
      if (mode === 'create' && endpoint.streams.has(result.data.name)) {
        throw new MockwaveError('MW_STREAM_EXISTS', `Stream ${result.data.name} already exists on ${endpoint.endpoint}: use PUT to change it`);
      }
      if (mode === 'replace' && !endpoint.streams.has(result.data.name)) throw new MockwaveError('MW_UNKNOWN_STREAM', `Unknown stream: ${result.data.name}`);
      endpoint.put(result.data, running());
      return describe(endpoint, result.data.name);
    },
    removeStream(name: string, path: string | undefined): void {
      pick(path, name, false).remove(name);
    },
    /**
     * pause / resume its schedule, tick now (delivered like any tick), or render a payload without sending
     * it (what the dashboard's composer starts from).
     */
    controlStream(name: string, path: string | undefined, action: 'pause' | 'resume' | 'tick' | 'render'): unknown {
      const endpoint = pick(path, name, false);
      const stream = endpoint.streams.get(name);
      if (stream === undefined) throw new MockwaveError('MW_UNKNOWN_STREAM', `Unknown stream: ${name}`);
      if (action === 'render') return { ...describe(endpoint, name), rendered: stream.render().map((e) => e.data) };
      if (action === 'pause') stream.pause();
      else if (action === 'resume') stream.resume();
      else stream.tick();
      return describe(endpoint, name);
    },
  };
}
