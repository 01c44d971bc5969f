export { HttpRoutes, routeName, type HttpRoutesOptions } from './routes.ts';
export type { HttpFigures, HttpRequestRecord, HttpRouteFigures } from './figures.ts';
export { httpRouteSchema, reservedPathProblem, HTTP_METHODS, type HttpRouteConfig, type HttpRouteInput } from './schema.ts';
export type { HttpHost, PublishTarget } from './steps.ts';
