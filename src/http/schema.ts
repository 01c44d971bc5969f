/**
 * HTTP routes as data: a method and a path in the one path syntax (`/api/orders/:id`, `/files/*`), what else
 * the request must carry (query, headers, cookies, a body matched by the rule matchers), and the steps that
 * answer it. The same objects come from a config file, the admin API or the library API.
 */
import { z } from 'zod';
import { regexSchema, whenSchema } from '../rules/schema.ts';
import { pathConstraintProblem } from '../rules/regex.ts';
import { pathConstraints, pathPatternProblem } from '../util/path-pattern.ts';
import { httpStepSchemas, type HttpStep } from './steps.ts';
import { scenarioFields, scenarioProblem, stateConditionSchema } from '../steps/index.ts';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const methodSchema = z.preprocess((v) => (typeof v === 'string' ? v.toUpperCase() : v), z.enum(HTTP_METHODS));

const routePathSchema = z.string().superRefine((path, ctx) => {
  const problem = pathPatternProblem(path) ?? pathConstraintProblem(pathConstraints(path));
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const httpWhenSchema = z.strictObject({
  query: z.record(z.string(), z.string()).optional().describe('Query parameters the request must carry, with exactly these values.'),
  headers: z.record(z.string(), regexSchema).optional().describe('Header name (any case) -> regular expression its value must match.'),
  cookies: z.record(z.string(), regexSchema).optional().describe('Cookie name -> regular expression its value must match.'),
  body: whenSchema.optional().describe('The body, matched as a rule matches a WebSocket message: partial JSON, or json/regex/text/jsonPath/schema.'),
});

/** Calls `visit` with every step of a list, those inside sequences too, and where it is (`then[0].sequence.steps[1][0]`). */
export function eachStep(steps: readonly HttpStep[], where: string, visit: (step: HttpStep, where: string) => void): void {
  steps.forEach((step, i) => {
    const at = `${where}[${i}]`;
    visit(step, at);
    if ('sequence' in step) step.sequence.steps.forEach((list, j) => eachStep(list, `${at}.sequence.steps[${j}]`, visit));
  });
}

export const httpRouteSchema = z.strictObject({
  name: z.string().min(1).max(200).optional().describe('Shown in the dashboard, stats and metrics (default: METHOD path).'),
  method: z
    .preprocess((v) => (typeof v === 'string' ? [v] : v), z.array(methodSchema).min(1))
    .optional()
    .describe('One method or a list (default: any).'),
  path: routePathSchema.describe('The path: exact, with `:name` parameters, or a trailing `*`.'),
  when: httpWhenSchema.optional(),
  state: stateConditionSchema.optional(),
  ...scenarioFields,
  then: httpStepSchemas.list.min(1),
  journal: z.boolean().optional().describe('While the journal is on (`--journal`), keep this route\'s requests in it (default true); false leaves them out.'),
}).superRefine((route, ctx) => {
  const problem = scenarioProblem(route);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', path: ['scenario'], message: problem });
});

export type HttpRouteConfig = z.output<typeof httpRouteSchema>;
export type HttpRouteInput = z.input<typeof httpRouteSchema>;

/** Route loading refuses a route written inside mockwave's own paths: the one list is src/util/own-paths.ts. */
export { reservedPathProblem } from '../util/own-paths.ts';
