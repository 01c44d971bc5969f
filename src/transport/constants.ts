/** Fixed numbers of the transport, in one place. */

/** How often the outgoing-memory guard sums every client's queue and looks at the clients that are behind. */
export const PRESSURE_CHECK_MS = 250;

/**
 * How long an evicted client has to answer its close frame before its socket is destroyed. The frame waits
 * behind everything the client has not read, so an answer may never come: the slot is freed regardless.
 */
export const EVICTION_CLOSE_TIMEOUT_MS = 1000;

/** The close a too-slow client is sent (MW_SLOW_CLIENT). */
export const SLOW_CLIENT_REASON = 'Client too slow: not reading its messages';
