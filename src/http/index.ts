export { HttpRoutes, type HttpRoutesOptions } from './routes.ts';
export { answerFault } from './fault.ts';
export { routeName } from './compiled-route.ts';
export type { HttpFigures, HttpRequestRecord, HttpRouteFigures } from './figures.ts';
export { eachStep, httpRouteSchema, reservedPathProblem, HTTP_METHODS, type HttpRouteConfig, type HttpRouteInput } from './schema.ts';
export { fileProblem, type FileScope } from './files.ts';
export { explainRoute } from './explain.ts';
export type { DisconnectTarget, HttpHost, HttpStep } from './steps.ts';
export { loadCollections, type Collection } from './collection.ts';
