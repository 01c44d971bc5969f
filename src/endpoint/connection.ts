/**
 * An endpoint's side of every client's connection. Each message passes the rate limit, then the rules (the
 * first that matches answers it), then the dialect, whose command the command table carries out. One object
 * serves every client of the endpoint: nothing is made per connection.
 */
import type { Faultable, Peer } from '../hub/peer.ts';
import { RateGate } from '../security/rate-limit.ts';
import type { Connection } from '../transport/transport.ts';
import { Message } from '../util/message.ts';
import type { Admission } from './admission.ts';
import { runCommand } from './commands.ts';
import type { EndpointCore } from './core.ts';
import { refuseFlood } from './flood.ts';
import type { EndpointReplay } from './recording.ts';

export class ClientMessages implements Connection {
  readonly #core: EndpointCore;
  readonly #admission: Admission;
  readonly #replay: EndpointReplay | undefined;
  readonly #gate: RateGate<Peer> | undefined;

  constructor(core: EndpointCore, admission: Admission, replay: EndpointReplay | undefined) {
    this.#core = core;
    this.#admission = admission;
    this.#replay = replay;
    const { rateLimit, clock } = core.context;
    this.#gate = rateLimit === undefined ? undefined : new RateGate(rateLimit, () => clock.now());
  }

  onMessage(peer: Peer, data: Buffer, isBinary: boolean): void {
    const core = this.#core;
    if (this.#gate !== undefined && refuseFlood(this.#gate, peer, core.context, (command) => core.replies.fail(peer, command))) return;
    this.#replay?.clientSent(peer);
    // Read lazily and once: rules and the dialect share what either parsed.
    const message = new Message(data, isBinary);
    if (core.rules.handle(peer, message)) {
      if (core.context.logTraffic) core.context.logger.info(`Message from ${peer.id}: matched a rule`, { clientId: peer.id, endpoint: core.path });
      return;
    }
    runCommand(core, peer, core.dialect.decode(message));
  }

  onClose(peer: Faultable, code: number, reason: string): void {
    this.#admission.leave(peer, code, reason);
  }
}
