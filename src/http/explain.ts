/**
 * A route in one line, as mockttp's `explain()` says a rule: `GET /api/orders/:id -> respond 200 (json body)`.
 * What the request must carry comes after the path; each step's phrase comes from its definition (steps.ts).
 */
import { explainWhen } from '../rules/index.ts';
import { explainBehaviourState, explainSteps, withScenarioStep } from '../steps/index.ts';
import type { HttpRouteConfig } from './schema.ts';
import { HTTP_STEPS } from './steps.ts';

/** `?page=2`, `header authorization ~ /^Bearer /`, `body {"type":"order"}`: what `when` asks of the request. */
function explainConditions(when: NonNullable<HttpRouteConfig['when']>): string {
  const query = Object.entries(when.query ?? {});
  const parts = [
    ...Object.entries(when.headers ?? {}).map(([name, pattern]) => `header ${name.toLowerCase()} ~ /${pattern}/`),
    ...Object.entries(when.cookies ?? {}).map(([name, pattern]) => `cookie ${name} ~ /${pattern}/`),
    ...(when.body === undefined ? [] : [`body ${explainWhen(when.body)}`]),
  ];
  const search = query.length === 0 ? '' : `?${query.map(([name, value]) => `${name}=${value}`).join('&')}`;
  return `${search}${parts.length === 0 ? '' : ` with ${parts.join(', ')}`}`;
}

export function explainRoute(config: HttpRouteConfig): string {
  const methods = config.method === undefined ? 'ANY' : config.method.join(',');
  return `${methods} ${config.path}${config.when === undefined ? '' : explainConditions(config.when)}${explainBehaviourState(config)} -> ${explainSteps(HTTP_STEPS, withScenarioStep(config, config.then))}`;
}
