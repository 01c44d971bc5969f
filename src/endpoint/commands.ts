/**
 * What each client command does: one entry per kind of `Command`. The dialect decides the kind from the
 * client's message; the endpoint acts on it the same way whatever the dialect. Subscribe and unsubscribe go
 * topic by topic through one loop: an unknown topic gets its own error and the others are still done.
 */
import { clip } from '../dialects/types.ts';
import type { Command } from '../dialects/index.ts';
import type { Peer } from '../hub/peer.ts';
import type { EndpointCore } from './core.ts';
import { eventFrame, sendEvent } from './event-frame.ts';
import type { Invalid } from './replies.ts';

type Handler<C extends Command> = (core: EndpointCore, peer: Peer, command: C) => void;

const COMMANDS: { readonly [K in Command['kind']]: Handler<Extract<Command, { kind: K }>> } = {
  invalid: (core, peer, command) => core.replies.fail(peer, command),
  ping: (core, peer) => core.replies.say(peer, { kind: 'pong', clientId: peer.id, at: core.context.clock.now() }),
  request: (core, peer, command) => {
    const unknown = unknownTopic(core, command.topic);
    if (unknown !== undefined) return core.replies.fail(peer, unknown);
    for (const stream of core.streams.onTopic(command.topic)) {
      for (const emission of stream.render()) core.replies.say(peer, { kind: 'response', stream: stream.name, data: emission.data, at: core.context.clock.now() });
    }
  },
  subscribe: (core, peer, command) => eachKnownTopic(core, peer, command.topics, (topic) => subscribe(core, peer, topic, command.params)),
  unsubscribe: (core, peer, command) => eachKnownTopic(core, peer, command.topics, (topic) => unsubscribe(core, peer, topic)),
  message: (core, peer) => core.context.logger.debug(`Client ${peer.id} sent a message no rule handles`, { clientId: peer.id, endpoint: core.path }),
};

/** Carries out a client's command (decoded from its message, or given: a Server-Sent Events `?events=`). */
export function runCommand(core: EndpointCore, peer: Peer, command: Command): void {
  if (core.context.logTraffic) core.context.logger.info(`Message from ${peer.id}: ${command.wireType ?? command.kind}`, { clientId: peer.id, endpoint: core.path });
  // The entry of this kind takes this kind of command; TypeScript cannot follow that through the index.
  (COMMANDS[command.kind] as Handler<Command>)(core, peer, command);
}

/** Runs `act` for each topic the endpoint has; each unknown one is answered with an error instead. */
function eachKnownTopic(core: EndpointCore, peer: Peer, topics: readonly string[], act: (topic: string) => void): void {
  for (const topic of topics) {
    const unknown = unknownTopic(core, topic);
    if (unknown === undefined) act(topic);
    else core.replies.fail(peer, unknown);
  }
}

function unknownTopic(core: EndpointCore, topic: string): Invalid | undefined {
  const { dialect, streams } = core;
  if (!dialect.rejectsUnknownTopics || streams.knows(topic)) return undefined;
  // The guide's wording as the guide has it; topic dialects also list what there is.
  const known = dialect.topicNoun === 'topic' ? ` (topics: ${streams.topics().join(', ')})` : '';
  return { kind: 'invalid', code: 'MW_UNKNOWN_EVENT', error: `Unknown ${dialect.topicNoun}: ${clip(topic)}${known}` };
}

function subscribe(core: EndpointCore, peer: Peer, topic: string, params: Readonly<Record<string, unknown>> | undefined): void {
  const { hub, context, streams, scripts } = core;
  const mine = hub.topicsOf(peer);
  if (!mine.has(topic) && mine.size >= context.maxSubscriptions) {
    core.replies.fail(peer, { kind: 'invalid', code: 'MW_TOO_MANY_SUBSCRIPTIONS', error: `Too many subscriptions: at most ${context.maxSubscriptions} per client` });
    return;
  }
  hub.subscribe(peer, topic);
  hub.receiveEverything(peer, false);
  core.scope.subscribed(peer, topic, params);
  context.logger.info(`Client ${peer.id} subscribed to ${topic}`, { clientId: peer.id, endpoint: core.path, topic });
  core.replies.say(peer, { kind: 'subscribed', topics: [topic], at: context.clock.now() });
  const scripted = streams.onTopic(topic).filter((s) => scripts.has(s));
  for (const stream of scripted) scripts.play(peer, stream);
  if (core.dialect.sendsSnapshotOnSubscribe && scripted.length === 0) snapshot(core, peer, topic);
}

function unsubscribe(core: EndpointCore, peer: Peer, topic: string): void {
  core.hub.unsubscribe(peer, topic);
  core.scripts.stop(peer, core.streams.onTopic(topic));
  core.context.logger.info(`Client ${peer.id} unsubscribed from ${topic}`, { clientId: peer.id, endpoint: core.path, topic });
  core.replies.say(peer, { kind: 'unsubscribed', topics: [topic], at: core.context.clock.now() });
}

/** A new subscriber's first look: each stream's current messages that pass its condition for this client. */
function snapshot(core: EndpointCore, peer: Peer, topic: string): void {
  const at = core.context.clock.now();
  for (const stream of core.streams.onTopic(topic)) {
    const condition = core.streams.condition(stream);
    for (const emission of stream.current()) {
      if (condition !== undefined && !core.scope.passes(condition, peer, topic, emission.data)) continue;
      sendEvent(peer, eventFrame(core.dialect, stream, emission.data, at), stream);
    }
  }
}
