/**
 * The requests of a recorded WebSocket session and the answers they got, as rules. A client message and the
 * upstream messages that carry the same correlation field value (JSON-RPC `id`, Kraken `reqid`) soon after it
 * are one exchange: the rule matches the request by its operation field (`method`, `type`, `event`, …, or
 * else the whole message less its correlation field) and replies as recorded, with the recorded delays and
 * the correlation value copied from the client's message. Every other upstream message stays in the timed
 * sequence (a subscription's data, notifications).
 */
import { literalTemplate } from '../templates/index.ts';
import { groupBy } from '../util/group.ts';
import { isPlainObject } from '../util/plain-object.ts';
import type { FrameLine } from './format.ts';
import { CORRELATION_FIELDS, OPERATION_FIELDS, parseJson, type Obj } from './operations.ts';

/** An answer later than this after its request is taken for a coincidence, not an answer. */
const ANSWER_WITHIN_MS = 30_000;

interface Parsed {
  readonly frame: FrameLine;
  readonly value: Obj;
}

/** What the request is matched by: its operation field, else all of it but the correlation field; undefined when nothing is left. */
function whenOf(request: Obj, correlation: string): Obj | undefined {
  const operation = OPERATION_FIELDS.find((field) => field !== correlation && typeof request[field] === 'string');
  if (operation !== undefined) return { json: { [operation]: request[operation] } };
  const rest = Object.fromEntries(Object.entries(request).filter(([key]) => key !== correlation));
  return Object.keys(rest).length === 0 ? undefined : { json: rest };
}

/** Messages by the correlation values they carry (`["id",7]`), in their order; a message with two is in two lists. */
function byCorrelation(messages: readonly Parsed[]): Map<string, Parsed[]> {
  const keyed = messages.flatMap((p) => CORRELATION_FIELDS.flatMap((field) => (typeof p.value[field] === 'string' || typeof p.value[field] === 'number' ? [{ key: JSON.stringify([field, p.value[field]]), p }] : [])));
  return new Map([...groupBy(keyed, (k) => k.key)].map(([key, items]) => [key, items.map((item) => item.p)]));
}

/**
 * Rules for the answered requests among `frames` (text frames, in order), and the upstream frames they claim.
 * Two requests matched alike make one rule: the later one's answers, as the recording's last word.
 */
export function answeredRequests(frames: readonly FrameLine[]): { rules: Obj[]; claimed: ReadonlySet<FrameLine> } {
  const parsed: Parsed[] = frames.flatMap((frame) => {
    if (frame.type !== 'text') return [];
    const json = parseJson(frame.data);
    return json.ok && isPlainObject(json.value) ? [{ frame, value: json.value }] : [];
  });
  // Messages by correlation field and value, each list in time order: a long session is read in one pass.
  const upstream = byCorrelation(parsed.filter((p) => p.frame.from === 'upstream'));
  const requests = byCorrelation(parsed.filter((p) => p.frame.from === 'client'));
  // An id may be used again: an answer belongs to the latest request with its id, so a request's answers end
  // where the next request with the same id begins.
  const nextAlike = new Map<Parsed, Map<string, number>>();
  for (const [key, list] of requests) {
    list.forEach((request, i) => nextAlike.set(request, (nextAlike.get(request) ?? new Map<string, number>()).set(key, list[i + 1]?.frame.t ?? Infinity)));
  }
  const cursors = new Map<string, number>();
  const claimed = new Set<FrameLine>();
  /** The unclaimed answers to `request` by `key`; the list's cursor moves past them (they are taken). */
  const answersTo = (request: Parsed, key: string): Parsed[] => {
    const list = upstream.get(key) ?? [];
    const windowEnd = request.frame.t + ANSWER_WITHIN_MS;
    const nextRequest = nextAlike.get(request)?.get(key) ?? Infinity;
    let at = cursors.get(key) ?? 0;
    const answers: Parsed[] = [];
    for (let next = list[at]; next !== undefined && next.frame.t <= windowEnd && next.frame.t < nextRequest; next = list[++at]) {
      if (next.frame.t >= request.frame.t && !claimed.has(next.frame)) answers.push(next);
    }
    cursors.set(key, at);
    return answers;
  };
  const rules = new Map<string, Obj>();
  for (const request of parsed.filter((p) => p.frame.from === 'client')) {
    for (const field of CORRELATION_FIELDS) {
      const value = request.value[field];
      if (typeof value !== 'string' && typeof value !== 'number') continue;
      const when = whenOf(request.value, field);
      if (when === undefined) continue;
      const answers = answersTo(request, JSON.stringify([field, value]));
      if (answers.length === 0) continue;
      const then: Obj[] = [];
      let at = request.frame.t;
      for (const answer of answers) {
        claimed.add(answer.frame);
        const delay = Math.round(answer.frame.t - at);
        if (delay > 0) then.push({ delay });
        then.push({ reply: { ...(literalTemplate(answer.value) as Obj), [field]: `{{message.${field}}}` } });
        at = answer.frame.t;
      }
      rules.set(JSON.stringify(when), { when, then });
      break;
    }
  }
  return { rules: [...rules.values()], claimed };
}
