/**
 * The requests of a recorded WebSocket session and the answers they got, as rules. A client message and the
 * upstream messages that carry the same correlation field value (JSON-RPC `id`, Kraken `reqid`) soon after it
 * are one exchange: the rule matches the request by its operation field (`method`, `type`, `event`, …, or
 * else the whole message less its correlation field) and replies as recorded, with the recorded delays and
 * the correlation value copied from the client's message. Every other upstream message stays in the timed
 * sequence (a subscription's data, notifications).
 */
import { literalTemplate } from '../templates/index.ts';
import type { FrameLine } from './format.ts';
import { CORRELATION_FIELDS, isObject, OPERATION_FIELDS, parseJson, type Obj } from './operations.ts';

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

/**
 * Rules for the answered requests among `frames` (text frames, in order), and the upstream frames they claim.
 * Two requests matched alike make one rule: the later one's answers, as the recording's last word.
 */
export function answeredRequests(frames: readonly FrameLine[]): { rules: Obj[]; claimed: ReadonlySet<FrameLine> } {
  const parsed: Parsed[] = frames.flatMap((frame) => {
    if (frame.type !== 'text') return [];
    const json = parseJson(frame.data);
    return json.ok && isObject(json.value) ? [{ frame, value: json.value }] : [];
  });
  const claimed = new Set<FrameLine>();
  const rules = new Map<string, Obj>();
  for (const request of parsed.filter((p) => p.frame.from === 'client')) {
    for (const field of CORRELATION_FIELDS) {
      const key = request.value[field];
      if (typeof key !== 'string' && typeof key !== 'number') continue;
      const answers = parsed.filter((p) => p.frame.from === 'upstream' && !claimed.has(p.frame) && p.value[field] === key && p.frame.t >= request.frame.t && p.frame.t - request.frame.t <= ANSWER_WITHIN_MS);
      const when = whenOf(request.value, field);
      if (answers.length === 0 || when === undefined) continue;
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
