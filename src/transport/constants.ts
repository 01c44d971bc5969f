/** Fixed numbers of the transport, in one place. */

/** How often the outgoing-memory guard sums every client's queue and looks at the clients that are behind. */
export const PRESSURE_CHECK_MS = 250;

/**
 * How long a client the server closed (evicted, or for a broken frame) has to answer the close before its
 * socket is destroyed: the close frame may wait behind everything the client has not read, or ws may have
 * stopped reading the socket, so an answer may never come; the slot is freed regardless.
 */
export const EVICTION_CLOSE_TIMEOUT_MS = 1000;

/**
 * The close code ws sends when a client's frames break the protocol (its errors carry the code privately):
 * what the log reports for such a connection, which then ends without a close handshake.
 */
export const PROTOCOL_ERROR_CLOSE_CODES: Readonly<Record<string, number>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 1009,
  WS_ERR_INVALID_UTF8: 1007,
  WS_ERR_INVALID_CLOSE_CODE: 1002,
  WS_ERR_INVALID_OPCODE: 1002,
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 1002,
  WS_ERR_EXPECTED_FIN: 1002,
  WS_ERR_EXPECTED_MASK: 1002,
  WS_ERR_UNEXPECTED_MASK: 1002,
  WS_ERR_UNEXPECTED_RSV_1: 1002,
  WS_ERR_UNEXPECTED_RSV_2_3: 1002,
};

/** The close a too-slow client is sent (MW_SLOW_CLIENT). */
export const SLOW_CLIENT_REASON = 'Client too slow: not reading its messages';

/**
 * Requests of one HTTP connection answered at once; later pipelined ones wait their turn, and the connection
 * is not read while any wait (`http-connections.ts`). Browsers never pipeline; a client that does still gets
 * this many answered side by side (routes with a `delay` do not queue behind each other).
 */
export const MAX_ACTIVE_PER_CONNECTION = 16;
/**
 * Waiting requests of one HTTP connection handed over per event-loop turn, as its answers end: a long backlog
 * yields to other connections every this many requests (a few ms), and is through a 64 KiB read of small GETs
 * in some 13 turns rather than 100 (held that long, a connection with half a request in its parser ran into
 * Node's `headersTimeout`).
 */
export const HANDED_PER_TURN = 128;
/**
 * Requests that may wait for a later turn across all HTTP connections of a server (`http-connections.ts`): each
 * is a request and an answer object Node made from a read. Past it, every connection's waiting requests are
 * handed over as soon as answers of its own end, in the same turn (as bare `node:http` does), until fewer than
 * half of this wait; so hundreds of pipelining connections cannot each hold a whole read (some 1,600 GETs)
 * waiting at once. A little over one such read: one connection pipelining alone still yields between batches.
 */
export const MAX_WAITING_REQUESTS = 2048;
