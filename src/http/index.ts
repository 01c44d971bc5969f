export { HttpRoutes, routeName, type HttpRoutesOptions } from './routes.ts';
export type { HttpFigures, HttpRequestRecord, HttpRouteFigures } from './figures.ts';
export { eachStep, httpRouteSchema, reservedPathProblem, HTTP_METHODS, type HttpRouteConfig, type HttpRouteInput, type HttpStep } from './schema.ts';
export { fileProblem, type FileScope } from './files.ts';
export type { HttpHost, PublishTarget } from './steps.ts';
