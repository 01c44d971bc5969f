/**
 * A TCP connection ended with a reset (RST), as a crashed server or a dropped network ends it: the client's
 * socket fails with ECONNRESET rather than reading an end. A socket with no TCP handle of its own to reset
 * (TLS: Node refuses with ERR_INVALID_HANDLE_TYPE) is destroyed instead, which ends it at once, without a
 * goodbye of the protocol above (no close frame, no last chunk).
 */
import type { Socket } from 'node:net';

export function resetSocket(socket: Socket): void {
  try {
    socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
