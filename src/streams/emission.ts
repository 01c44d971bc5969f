/** One message a stream produces on a tick. Topics beyond the stream's own topic are optional. */
export interface Emission {
  readonly data: unknown;
  /** Extra topics this message is also published to (cerberus sends high-severity events to `alerts` too). */
  readonly topics?: readonly string[];
}
