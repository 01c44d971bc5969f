#!/usr/bin/env node
import { main } from './main.ts';

const code = await main({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
// Let stdout drain before leaving; exit explicitly only when something (a second signal) must not wait.
if (code === 130) process.exit(code);
process.exitCode = code;
