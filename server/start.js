#!/usr/bin/env node
// The Cerberus dashboard's mock server from the compiled build: `node server/start.js` (or `npm run ws:start`).
// `npm run ws:start` builds dist/ first when it is missing; run `npm run build` after changing the sources.
// Reads only MOCKWAVE_* variables (see websocket-server.ts).
import { main } from '../dist/cli/main.js';

const code = await main({ argv: ['--preset', 'cerberus', ...process.argv.slice(2)], env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, envScope: 'mockwave' });
if (code === 130) process.exit(code);
process.exitCode = code;
