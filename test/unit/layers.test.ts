/**
 * The layer rule (eslint.config.js: imports flow downward only) catches a wrong import: each case lints a
 * one-line file placed in a folder of src/ and expects the rule's error, or none. The files do not exist, so the
 * type-checked rules (which need them in the TypeScript program) are off here; test/unit/lint-guards.test.ts
 * covers those on real files.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const eslint = new ESLint({
  cwd: new URL('../../', import.meta.url).pathname,
  overrideConfig: { languageOptions: { parserOptions: { project: false, projectService: false } }, rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' } },
});

async function layerErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const x = y;\n`, { filePath: file });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('layers', () => {
  for (const [file, source] of [
    ['src/dialects/wrong.ts', "import { y } from '../endpoint/endpoint.ts';"],
    ['src/templates/wrong.ts', "import { y } from '../rules/engine.ts';"],
    ['src/hub/wrong.ts', "import { y } from '../transport/transport.ts';"],
    ['src/util/wrong.ts', "import { y } from '../config/schema.ts';"],
    ['src/config/wrong.ts', "import { y } from '../server/mock-server.ts';"],
    ['src/config/wrong.ts', "import { y } from '../asyncapi/document.ts';"],
    ['src/server/wrong.ts', "import { y } from '../cli/main.ts';"],
    ['src/endpoint/wrong.ts', "import { y } from '../server/mock-server.ts';"],
    ['src/endpoint/wrong.ts', "import { y } from '../http/routes.ts';"],
    ['src/streams/generators/wrong.ts', "import { y } from '../../endpoint/endpoint.ts';"],
    ['src/util/wrong.ts', "import { y } from '../index.ts';"],
    ['src/server/wrong.ts', "import { y } from '../index.ts';"],
    ['src/streams/generators/wrong.ts', "import { y } from '../../index.ts';"],
    ['src/version.ts', "import { y } from './errors/catalog.ts';"],
    ['src/config/wrong.ts', "import { y } from '../version.ts';"],
  ] as const) {
    it(`refuses ${file} importing ${/'(.*)'/.exec(source)?.[1] ?? ''}`, async () => {
      const errors = await layerErrors(file, source);
      assert.equal(errors.length, 1, `no layer error for ${source} in ${file}`);
      assert.match(errors[0] ?? '', /may import only from/);
    });
  }

  it('accepts imports from below', async () => {
    assert.deepEqual(await layerErrors('src/server/fine.ts', "import { y } from '../dialects/guide.ts';"), []);
    assert.deepEqual(await layerErrors('src/server/fine.ts', "import { y } from '../endpoint/endpoint.ts';"), []);
    assert.deepEqual(await layerErrors('src/rules/fine.ts', "import { y } from '../templates/index.ts';"), []);
    assert.deepEqual(await layerErrors('src/cli/fine.ts', "import { y } from '../version.ts';"), []);
    assert.deepEqual(await layerErrors('src/index.ts', "import { y } from './cli/main.ts';"), []);
  });
});
