/**
 * The one way a test makes a temporary folder: `mockwave-<name>-XXXXXX` in the system's temporary folder,
 * removed with everything in it once the test that made it ends (the file, when made at the top of one; the
 * suite, when made in a `describe`). Not from a `before` hook: node:test ends a hook's own `after` with the hook.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

export function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mockwave-${name}-`));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
