import type { StartInfo } from '../server/mock-server.ts';
import { VERSION } from '../version.ts';

/** What the CLI prints once listening: where to connect and what is served. */
export function banner(info: StartInfo, files: readonly string[]): string {
  const lines = [`mockwave ${VERSION} listening on ${info.url}`];
  if (files.length > 0) lines.push(`  configuration: ${files.join(', ')}`);
  for (const endpoint of info.endpoints) {
    lines.push(`  ${endpoint.url}  (${endpoint.dialect} dialect)`);
    const width = Math.max(0, ...endpoint.streams.map((s) => s.name.length));
    for (const stream of endpoint.streams) lines.push(`    ${stream.name.padEnd(width)}  ${stream.interval}`);
    if (endpoint.streams.length === 0) lines.push('    (no streams)');
  }
  lines.push(`  admin: ${info.url}/admin/websocket/stats`);
  lines.push('Press Ctrl-C to stop.');
  return lines.join('\n');
}
