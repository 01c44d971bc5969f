/**
 * The dashboard's files: built from dashboard/ into dist/dashboard/ by `npm run build` (part of `npm ci`),
 * read once, served from memory. The page is at `/` for browsers (anything asking for HTML); API clients
 * asking `/` for JSON still get the server's description.
 */
import { existsSync, readFileSync } from 'node:fs';

const CANDIDATES = [
  // dist/mockwave.js (the bundled CLI) and dist/admin/dashboard.js (the library build)
  new URL('./dashboard/', import.meta.url),
  new URL('../dashboard/', import.meta.url),
  // src/admin/dashboard.ts, run through tsx in development and tests
  new URL('../../dist/dashboard/', import.meta.url),
];

const TYPES: Record<string, string> = { 'index.html': 'text/html; charset=utf-8', 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };

export interface DashboardFile {
  readonly contentType: string;
  readonly text: string;
}

let files: Map<string, DashboardFile> | undefined;

/** The built files, or an empty map when the dashboard was never built (then `/` says how to build it). */
export function dashboardFiles(): ReadonlyMap<string, DashboardFile> {
  if (files !== undefined) return files;
  files = new Map();
  const dir = CANDIDATES.find((url) => existsSync(new URL('index.html', url)));
  if (dir !== undefined) for (const [name, contentType] of Object.entries(TYPES)) files.set(name, { contentType, text: readFileSync(new URL(name, dir), 'utf8') });
  return files;
}

export function wantsHtml(accept: string | undefined): boolean {
  return accept !== undefined && /\btext\/html\b/.test(accept);
}
