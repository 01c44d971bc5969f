// @ts-check
/**
 * `npm run mutation -- <folder> [stryker options]`: mutation testing of one folder (security, transport,
 * http, recording; see stryker.config.mjs), e.g. `npm run mutation -- security` or
 * `npm run mutation -- transport --concurrency 1`. Reports go to reports/mutation/<folder>.html and .json.
 * One folder per run keeps a run feasible on a shared two-core machine; it is not part of CI.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const FOLDERS = ['security', 'transport', 'http', 'recording'];
const [folder, ...rest] = process.argv.slice(2);
if (folder === undefined || !FOLDERS.includes(folder)) {
  console.error(`usage: npm run mutation -- <${FOLDERS.join('|')}> [stryker options]`);
  process.exit(2);
}
// The package exports no bin path: found from its package.json.
const stryker = join(dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')), 'bin', 'stryker.js');
const run = spawnSync(process.execPath, [stryker, 'run', 'stryker.config.mjs', ...rest], { stdio: 'inherit', env: { ...process.env, MOCKWAVE_MUTATION_FOLDER: folder } });
process.exit(run.status ?? 1);
