// Builds the dashboard (dashboard/src, Preact) into dist/dashboard/: app.js, app.css and index.html, which
// the server reads once and serves at / (src/admin/dashboard.ts). Runs in `npm run build`, which `npm test`
// and `npm pack` run first.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const out = 'dist/dashboard';
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['dashboard/src/main.tsx'],
  outfile: `${out}/app.js`,
  bundle: true,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  sourcemap: false,
  logLevel: 'warning',
});
writeFileSync(`${out}/app.css`, readFileSync('dashboard/src/styles.css'));
// The icon is in the page (a wave on the header's colour), so a browser never asks for /favicon.ico, which
// is not the dashboard's to answer (a route or the fallback may own it) and would log a 404 in its console.
const icon = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'><rect width='16' height='16' rx='3' fill='%23111827'/><path d='M2 9c2-4 4-4 6 0s4 4 6 0' stroke='%234ade80' stroke-width='2' fill='none'/></svg>";
writeFileSync(
  `${out}/index.html`,
  `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>mockwave</title>\n<link rel="icon" href="${icon}">\n<link rel="stylesheet" href="/dashboard/app.css">\n</head>\n<body>\n<div id="app"></div>\n<script src="/dashboard/app.js"></script>\n</body>\n</html>\n`,
);
