/** The shapes of the live snapshot (GET /admin/live), as the server sends them. */
export interface StreamFigure {
  name: string;
  messages: number;
  subscribers: number;
}

export interface EndpointFigure {
  endpoint: string;
  connections: number;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  dropped: number;
  streams: StreamFigure[];
}

export interface Client {
  id: string;
  endpoint: string;
  url: string;
  remoteAddress: string;
  connectedAt: string;
  subscriptions: string[];
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  dropped: number;
}

export interface StreamInfo {
  endpoint: string;
  name: string;
  topic: string;
  schedule: string;
  subscribers: number;
  paused: boolean;
  ticks: number;
  last?: unknown[];
  definition?: Record<string, unknown>;
}

export interface Snapshot {
  at: number;
  server: { name: string; version: string; uptimeMs: number; endpoints: { path: string; dialect: string; url: string }[] };
  stats: { connectedClients: number; proxyConnections: number; proxyRoutes?: Record<string, { active: number; connections: number; failures: number }>; endpoints: EndpointFigure[] };
  clients: Client[];
  streams: StreamInfo[];
}

export interface LoggedMessage {
  direction: 'in' | 'out';
  at: number;
  size: number;
  binary: boolean;
  text?: string;
  hex?: string;
  truncated?: boolean;
}
