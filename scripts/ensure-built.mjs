// Runs before `npm start` and `npm run ws:start`, which run the compiled build: in a fresh clone (`npm ci`
// builds nothing: the build runs before packing, `prepack`, so that installing the package runs no script of
// ours) it builds dist/ once. An existing build is left as it is: `npm run build` after changing the sources.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const needed = ['dist/mockwave.js', 'dist/cli/main.js', 'dist/dashboard/index.html'];
if (!needed.every((file) => existsSync(file))) {
  process.stderr.write('mockwave: dist/ is not built yet (a fresh clone): npm run build\n');
  // npm_execpath is the npm that runs this script: the same npm builds, on any platform.
  const npm = process.env.npm_execpath;
  const result = npm === undefined
    ? spawnSync('npm', ['run', 'build'], { stdio: 'inherit', shell: process.platform === 'win32' })
    : spawnSync(process.execPath, [npm, 'run', 'build'], { stdio: 'inherit' });
  process.exitCode = result.status ?? 1;
}
