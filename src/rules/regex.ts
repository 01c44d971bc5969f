/**
 * Regular expressions written in configurations (rule `regex` and `text` matchers) run against text that
 * clients choose, and JavaScript's engine backtracks: `(a+)+$` against 39 bytes stalls the event loop for
 * seconds. Each pattern is therefore analysed once, at load, by recheck (an automata-based ReDoS checker):
 *
 * - exponential backtracking, or a pattern recheck cannot prove either way, is refused with the reason and
 *   an example of an attack string;
 * - polynomial backtracking of degree d is accepted, but the pattern only ever sees text of at most
 *   ⌊2^24^(1/d)⌋ characters (4,096 for d = 2, 256 for d = 3, 64 for d = 4), so a match costs at most ~2^24
 *   steps (a few ms); longer text does not match. Degree 5 and up is refused;
 * - linear patterns see any text.
 *
 * The checker is loaded only when a configuration has a regular expression, and its verdicts are kept per
 * pattern (a pure function of the pattern's text), so a reload does not pay twice.
 */
import type * as Recheck from 'recheck';
import { lazy } from '../util/lazy.ts';
import { errorMessage } from '../errors/error-message.ts';

const recheck = lazy<typeof Recheck>('recheck');

/** Worst-case steps one match may take. */
const STEP_BUDGET = 2 ** 24;
const MIN_INPUT = 64;
/** How long recheck may analyse one pattern before the pattern counts as unproven. */
const CHECK_TIMEOUT_MS = 5000;

export type RegexVerdict = { readonly ok: true; readonly maxInput: number } | { readonly ok: false; readonly problem: string };

const verdicts = new Map<string, RegexVerdict>();

function judge(pattern: string): RegexVerdict {
  try {
    new RegExp(pattern);
  } catch (error) {
    return { ok: false, problem: `invalid regular expression: ${errorMessage(error)}` };
  }
  const diagnostics = recheck().checkSync(pattern, '', { timeout: CHECK_TIMEOUT_MS });
  if (diagnostics.status === 'safe') return { ok: true, maxInput: Infinity };
  if (diagnostics.status === 'unknown') {
    return { ok: false, problem: `cannot be proven free of catastrophic backtracking (${String(diagnostics.error.kind)}): simplify it` };
  }
  const attack = diagnostics.attack.pattern;
  if (diagnostics.complexity.type === 'polynomial') {
    const maxInput = Math.floor(STEP_BUDGET ** (1 / diagnostics.complexity.degree));
    if (maxInput >= MIN_INPUT) return { ok: true, maxInput };
  }
  return {
    ok: false,
    problem: `catastrophic backtracking (${diagnostics.complexity.summary}): text like ${attack} would stall the server; avoid nested or overlapping repetition such as (a+)+ or (a|a)*`,
  };
}

/** The verdict on a pattern: refused with why, or accepted with the longest text it may see. */
export function regexVerdict(pattern: string): RegexVerdict {
  let verdict = verdicts.get(pattern);
  if (verdict === undefined) {
    verdict = judge(pattern);
    verdicts.set(pattern, verdict);
  }
  return verdict;
}

/**
 * Why a path pattern's parameter constraints (`:symbol(btcusd|ethusd)`) are not safe, or undefined. They run
 * on every upgrade and request to the path, on text the client chooses, with no length bound of their own:
 * only patterns free of backtracking are taken.
 */
export function pathConstraintProblem(constraints: readonly string[]): string | undefined {
  for (const constraint of constraints) {
    const verdict = regexVerdict(`^(?:${constraint})$`);
    if (!verdict.ok) return `parameter pattern ${constraint}: ${verdict.problem}`;
    if (verdict.maxInput !== Infinity) return `parameter pattern ${constraint}: can backtrack on long text; write it without nested or overlapping repetition`;
  }
  return undefined;
}

/** A tester for an accepted pattern: text longer than the pattern may see does not match. */
export function compileRegex(pattern: string): (text: string) => boolean {
  const verdict = regexVerdict(pattern);
  if (!verdict.ok) throw new TypeError(`regular expression ${pattern}: ${verdict.problem}`);
  const re = new RegExp(pattern);
  const { maxInput } = verdict;
  return maxInput === Infinity ? (text) => re.test(text) : (text) => text.length <= maxInput && re.test(text);
}
