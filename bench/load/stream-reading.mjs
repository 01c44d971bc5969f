// Helpers of the load client (client.mjs) for streams that are only counted, never parsed: reading a socket in
// batches, and counting Server-Sent Events in chunks as they arrive, without copying them.

/**
 * Batched reading for streams that are only counted: a socket that has delivered a chunk is paused and resumed
 * with every other one READ_EVERY_MS later, so it delivers what arrived meanwhile in one read. Thousands of
 * streams at 100 events/s are otherwise 100 reads per second each, which saturates the load process long
 * before the server; a few milliseconds in the kernel's buffer (some hundreds of bytes) change nothing the
 * server sees.
 */
const READ_EVERY_MS = 25;
const pausedSockets = [];
let resumeTimer;
export function readLater(socket) {
  socket.pause();
  pausedSockets.push(socket);
  resumeTimer ??= setTimeout(() => {
    resumeTimer = undefined;
    for (const paused of pausedSockets.splice(0)) paused.resume();
  }, READ_EVERY_MS);
}

/**
 * Counts `event:` lines in a chunk without copying it: `state.partial` is how much of the marker the last chunk
 * ended with, so a line split between two chunks is counted once. Thousands of streams at 100 events/s each
 * arrive as some 100,000 chunks/s, so this runs no allocation per chunk.
 */
const EVENT_LINE = Buffer.from('\nevent:');
export function countEvents(chunk, state) {
  let count = 0;
  if (state.partial > 0) {
    const take = Math.min(EVENT_LINE.length - state.partial, chunk.length);
    if (chunk.compare(EVENT_LINE, state.partial, state.partial + take, 0, take) === 0) {
      if (state.partial + take === EVENT_LINE.length) count += 1;
      else {
        // A chunk shorter than the rest of the marker, all of it the marker's next bytes.
        state.partial += take;
        return count;
      }
    }
  }
  for (let at = chunk.indexOf(EVENT_LINE); at !== -1; at = chunk.indexOf(EVENT_LINE, at + EVENT_LINE.length)) count += 1;
  state.partial = 0;
  for (let k = Math.min(EVENT_LINE.length - 1, chunk.length); k > 0; k--) {
    if (chunk.compare(EVENT_LINE, 0, k, chunk.length - k, chunk.length) === 0) {
      state.partial = k;
      break;
    }
  }
  return count;
}
