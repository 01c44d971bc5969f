import type { StartInfo } from '../server/mock-server.ts';
import { VERSION } from '../version.ts';

/** Rules listed one line each up to this many per endpoint; more are counted. */
const RULE_LINES = 5;
/** HTTP routes listed one line each up to this many; the rest are counted. */
const ROUTE_LINES = 10;
/** A rule's or a route's line is cut here: the banner is read in a terminal. */
const WIDTH = 160;

const cut = (line: string): string => (line.length > WIDTH ? `${line.slice(0, WIDTH - 1)}…` : line);

/** What the CLI prints once listening: where to connect and what is served. */
export function banner(info: StartInfo, files: readonly string[], preset: string): string {
  // Cerberus users know their server by its first line; keep it, then say what mockwave adds.
  const lines =
    preset === 'cerberus'
      ? [`Mock WebSocket Server started on ${info.endpoints[0]?.url ?? info.url}`, '━'.repeat(53), `mockwave ${VERSION}, cerberus preset`]
      : [`mockwave ${VERSION} listening on ${info.url}`];
  if (files.length > 0) lines.push(`  configuration: ${files.join(', ')}`);
  // With WebSocket off no endpoint can be reached: say so instead of listing addresses that refuse.
  if (!info.websocket) lines.push('  WebSocket: off (websocket.enabled / WEBSOCKET_ENABLED is false): every upgrade is refused');
  for (const endpoint of info.endpoints.filter((e) => info.websocket || /^https?:/.test(e.url))) {
    const sse = /^https?:/.test(endpoint.url);
    lines.push(`  ${endpoint.url}  (${sse ? `Server-Sent Events${endpoint.dialect === 'ndjson' ? ', JSON lines' : ''}` : `${endpoint.dialect} dialect`})`);
    const width = Math.max(0, ...endpoint.streams.map((s) => s.name.length));
    for (const stream of endpoint.streams) lines.push(`    ${stream.name.padEnd(width)}  ${stream.interval}`);
    if (endpoint.streams.length === 0) lines.push('    (no streams)');
    if (endpoint.rules.length > RULE_LINES) lines.push(`    ${endpoint.rules.length} rules (each in one line: GET /admin/websocket/stats)`);
    else for (const rule of endpoint.rules) lines.push(cut(`    ${rule}`));
  }
  if (info.proxy !== undefined) {
    lines.push(`  proxy: on, ${info.proxy.length} route(s)`);
    for (const route of info.proxy) lines.push(`    ${route.url} -> ${route.upstream}`);
  }
  if (info.http.routes.length > 0 || info.http.fallback !== undefined) {
    const shown = info.http.routes.slice(0, ROUTE_LINES);
    lines.push(`  HTTP: ${info.http.routes.length} route(s)${info.http.fallback === undefined ? '' : `, the rest to ${info.http.fallback}`}`);
    for (const route of shown) lines.push(cut(`    ${route}`));
    if (info.http.routes.length > shown.length) lines.push(`    … and ${info.http.routes.length - shown.length} more (GET /admin/http/routes)`);
  }
  if (info.dashboard !== undefined) lines.push(`  dashboard: ${info.dashboard}`);
  lines.push(`  admin: ${info.url}/admin/websocket/stats`);
  lines.push(preset === 'cerberus' ? 'Waiting for client connections...\n' : 'Press Ctrl-C to stop.');
  return lines.join('\n');
}
