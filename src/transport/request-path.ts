/**
 * Reading the path of an upgrade request. `new URL()` costs a few microseconds and leaves garbage behind on
 * every handshake; most paths are plain and need no parsing; the rest go through URL.
 */
/** Characters a path can hold that `URL` leaves as they are: then the path needs no URL to be read. */
const PLAIN_PATH = /^\/(?!\/)[\w\-.~!$&'()*+,;=:@/]*$/;
const DOT_SEGMENT = /\/\.\.?(\/|$)/;

/** The path of a request target: exactly what `new URL(target, base).pathname` gives, mostly without one. */
export function pathOf(target: string | undefined): string {
  if (target !== undefined) {
    const end = target.search(/[?#]/);
    const path = end < 0 ? target : target.slice(0, end);
    if (PLAIN_PATH.test(path) && !DOT_SEGMENT.test(path)) return path;
  }
  return new URL(target ?? '/', 'http://localhost').pathname;
}
