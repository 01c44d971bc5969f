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
writeFileSync(
  `${out}/index.html`,
  '<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>mockwave</title>\n<link rel="stylesheet" href="/dashboard/app.css">\n</head>\n<body>\n<div id="app"></div>\n<script src="/dashboard/app.js"></script>\n</body>\n</html>\n',
);
