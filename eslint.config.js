// @ts-check
import comments from '@eslint-community/eslint-plugin-eslint-comments/configs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/**
 * What is linted as src/ is: src/ itself, and the deliberately wrong examples under test/fixtures/lint/src/ that
 * prove each guard below fails (test/unit/lint-guards.test.ts lints them; the normal lint skips them).
 */
const SOURCE_ROOTS = ['src', 'test/fixtures/lint/src'];
/** @param {string} pattern */
const inSource = (pattern) => SOURCE_ROOTS.map((root) => `${root}/${pattern}`);

/**
 * The layers of src/, each with the layers it may import from: imports flow downward only. A layer not listed
 * for another may not be imported by it (docs/architecture.md draws the same picture). Most layers are folders;
 * `version` and `index` are the two files at the top of src/: the package version, which imports nothing, and
 * the public API, which may import every layer and which no layer imports.
 */
const LAYERS = {
  version: [],
  errors: [],
  util: ['errors'],
  log: ['errors', 'util'],
  hub: ['errors', 'util'],
  faults: ['errors', 'util', 'hub'],
  dialects: ['errors', 'util'],
  templates: ['errors', 'util'],
  data: ['errors', 'util'],
  security: ['errors', 'util'],
  state: ['errors', 'util'],
  steps: ['errors', 'util', 'templates', 'state'],
  rules: ['errors', 'util', 'hub', 'templates', 'data', 'steps'],
  streams: ['errors', 'util', 'log', 'hub', 'templates', 'data'],
  transport: ['errors', 'util', 'hub', 'security'],
  http: ['errors', 'util', 'log', 'templates', 'data', 'steps', 'rules', 'security', 'state', 'recording', 'journal'],
  recording: ['errors', 'util', 'hub', 'templates', 'security'],
  journal: ['errors', 'util', 'hub', 'security', 'recording', 'rules'],
  admin: ['errors', 'util', 'hub', 'faults', 'rules', 'security', 'state', 'http', 'journal'],
  config: ['errors', 'util', 'log', 'dialects', 'templates', 'data', 'state', 'steps', 'rules', 'streams', 'transport', 'http', 'proxy', 'journal', 'faults'],
  asyncapi: ['errors', 'util', 'data', 'rules', 'config'],
  proxy: ['errors', 'util', 'hub', 'security', 'transport', 'recording'],
  endpoint: ['errors', 'util', 'log', 'hub', 'faults', 'dialects', 'templates', 'security', 'state', 'steps', 'rules', 'streams', 'transport', 'recording', 'admin', 'config', 'journal'],
  sse: ['errors', 'util', 'log', 'hub', 'faults', 'dialects', 'security', 'transport', 'http', 'config', 'endpoint', 'journal'],
  server: ['version', 'errors', 'util', 'log', 'hub', 'faults', 'dialects', 'templates', 'data', 'security', 'state', 'steps', 'rules', 'streams', 'transport', 'http', 'recording', 'admin', 'config', 'proxy', 'endpoint', 'sse', 'journal'],
  sources: ['errors', 'util', 'config', 'asyncapi'],
  cli: ['version', 'errors', 'util', 'log', 'config', 'server', 'sources', 'recording', 'asyncapi'],
  index: ['version', 'errors', 'util', 'log', 'hub', 'faults', 'dialects', 'templates', 'data', 'security', 'state', 'steps', 'rules', 'streams', 'transport', 'http', 'recording', 'admin', 'config', 'asyncapi', 'proxy', 'endpoint', 'sse', 'server', 'sources', 'cli', 'journal'],
};

/** The layers that are one file at the top of src/ rather than a folder. */
const FILE_LAYERS = new Set(['version', 'index']);

/** How an import of `layer` is written from a file `depth` folders below src/ (0: src/ itself). */
const importOf = (/** @type {string} */ layer, /** @type {number} */ depth) => `${depth === 0 ? './' : '../'.repeat(depth)}${layer}${FILE_LAYERS.has(layer) ? '.ts' : '/*'}`;

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other));
  // A file layer sits in src/ itself; a folder's files may sit up to three folders deep (src/streams/generators/x.ts).
  const depths = FILE_LAYERS.has(layer) ? [0] : [1, 2, 3];
  return {
    files: inSource(FILE_LAYERS.has(layer) ? `${layer}.ts` : `${layer}/**/*.ts`),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((other) => ({
            group: depths.map((depth) => importOf(other, depth)),
            message: `${layer} may import only from ${allowed.join(', ') || 'nothing in src'}: ${other} is not below it (see docs/architecture.md).`,
          })),
        },
      ],
    },
  };
});

/** Node's timer functions: src/ sets every timer through a Clock (src/util/clock.ts, the one file that may call them). */
const TIMERS = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate'];

/**
 * The guards review asked for (issue 27 item 8), on src/ only. Type-checked rules need a TypeScript program:
 * the one of tsconfig.build.json (src/ alone, what ships), not the whole repository's, which keeps `npm run lint`
 * about one type-check of src/ slower. Sizes count every line, comments and blank lines too: that is the length
 * a reader reads and what `wc -l` shows, so "at most 300 lines" means one thing everywhere. A function over 80
 * lines is allowed only after an `eslint-disable-next-line max-lines-per-function -- <reason>` comment (every
 * disable says why, below). A cycle is one of imports that exist at run time: `import type` is erased
 * (verbatimModuleSyntax), so a cycle through one cannot change the order modules load in; import-x's `no-cycle`
 * does not follow them.
 */
const sourceGuards = {
  files: inSource('**/*.ts'),
  languageOptions: { parserOptions: { project: ['./tsconfig.build.json', './test/fixtures/lint/tsconfig.json'], tsconfigRootDir: import.meta.dirname } },
  plugins: { 'import-x': importX },
  settings: {
    'import-x/extensions': ['.ts', '.js'],
    'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js'] })],
  },
  rules: {
    '@typescript-eslint/no-floating-promises': 'error',
    '@typescript-eslint/no-misused-promises': 'error',
    'max-lines': ['error', { max: 300, skipBlankLines: false, skipComments: false }],
    'max-lines-per-function': ['error', { max: 80, skipBlankLines: false, skipComments: false, IIFEs: true }],
    'import-x/no-cycle': ['error', { ignoreExternal: true }],
    'no-restricted-globals': ['error', ...TIMERS.map((name) => ({ name, message: 'Set timers through a Clock (src/util/clock.ts), so tests can drive them.' }))],
    'no-restricted-properties': [
      'error',
      { object: 'Date', property: 'now', message: 'Read time through a Clock (src/util/clock.ts).' },
      { object: 'performance', property: 'now', message: 'Read time through a Clock (src/util/clock.ts).' },
    ],
    'no-restricted-syntax': [
      'error',
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Read time through a Clock (src/util/clock.ts): new Date(clock.now()).' },
      { selector: "MemberExpression[property.name='message'] > TSAsExpression.object[typeAnnotation.typeName.name='Error']", message: 'Use errorMessage(error) (src/errors/error-message.ts): what is thrown may not be an Error.' },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'bench/.peers/', 'test-results/', '.tmp/', '.stryker-tmp/', 'reports/', 'test/fixtures/lint/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' },
    },
    plugins: comments.recommended.plugins,
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Every exception to a rule says why, after `--`.
      '@eslint-community/eslint-comments/require-description': 'error',
    },
  },
  sourceGuards,
  // The one file that calls Node's timers, for everyone else.
  { files: ['src/util/clock.ts'], rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off', 'no-restricted-syntax': 'off' } },
  ...layerRules,
);
