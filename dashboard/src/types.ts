/**
 * The shapes the dashboard reads (GET /admin/live, /admin/live/clients/:id, /admin/live/requests and the
 * admin API): the server's own definitions, so a change on one side that the other does not follow fails the
 * type check.
 */
export type {
  ClientInfo as Client,
  EndpointFigures as EndpointFigure,
  HttpFigures,
  HttpRequestRecord,
  LiveSnapshot as Snapshot,
  LogBatch,
  LoggedMessage,
  LoggedRequest,
  LogHistory,
  RuleFigures,
  StreamFigures as StreamFigure,
  StreamInfo,
} from '../../src/admin/snapshot.ts';
