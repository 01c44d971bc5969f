/**
 * Real clients that come from Debian rather than npm: Python with its WebSocket libraries, and Chromium
 * (driven by playwright-core, never a downloaded browser). Locally a test that needs one is skipped when it is
 * missing; in CI (`.ci/run` installs them) never.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { ROOT } from './cli.ts';

export const PYTHON = '/usr/bin/python3';
const CHROMIUM = '/usr/bin/chromium';
// The flags this machine kind needs: no sandbox as root, and no background traffic to a closed network.
const CHROMIUM_FLAGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic'];
/** Where browser tests leave their screenshots for a reviewer (ignored by git). */
export const RESULTS = join(ROOT, 'test-results');

/** A test's `skip` option: false when `/usr/bin/python3` can import `module` (or in CI), else why not. */
export function needsPython(module: string, debianPackage: string): false | string {
  try {
    execFileSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore' });
    return false;
  } catch {
    return process.env['CI'] ? false : `${debianPackage} is not installed (apt-get install ${debianPackage})`;
  }
}

export const needsChromium: false | string = existsSync(CHROMIUM) || process.env['CI'] ? false : 'Chromium is not installed (apt-get install chromium)';

export function launchChromium(): Promise<Browser> {
  mkdirSync(RESULTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
}
