// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers of src/, each with the folders it may import from: imports flow downward only. A folder not
 * listed for another may not be imported by it (docs/architecture.md draws the same picture).
 */
const LAYERS = {
  errors: [],
  util: ['errors'],
  log: ['errors', 'util'],
  hub: ['errors', 'util'],
  dialects: ['errors', 'util'],
  templates: ['errors', 'util'],
  data: ['errors', 'util'],
  security: ['errors', 'util'],
  state: ['errors', 'util'],
  steps: ['errors', 'util', 'templates'],
  rules: ['errors', 'util', 'hub', 'templates', 'data', 'steps'],
  streams: ['errors', 'util', 'log', 'hub', 'templates', 'data'],
  transport: ['errors', 'util', 'hub', 'security'],
  http: ['errors', 'util', 'log', 'templates', 'data', 'steps', 'rules', 'security', 'state', 'recording'],
  recording: ['errors', 'util', 'hub', 'templates', 'security'],
  admin: ['errors', 'util', 'hub', 'rules', 'security', 'http'],
  config: ['errors', 'util', 'log', 'dialects', 'templates', 'data', 'rules', 'streams', 'transport', 'http', 'proxy'],
  asyncapi: ['errors', 'util', 'data', 'rules', 'config'],
  proxy: ['errors', 'util', 'hub', 'security', 'transport', 'recording'],
  endpoint: ['errors', 'util', 'log', 'hub', 'dialects', 'templates', 'security', 'steps', 'rules', 'streams', 'transport', 'recording', 'admin', 'config'],
  sse: ['errors', 'util', 'log', 'hub', 'dialects', 'security', 'transport', 'http', 'config', 'endpoint'],
  server: ['errors', 'util', 'log', 'hub', 'dialects', 'templates', 'data', 'security', 'state', 'steps', 'rules', 'streams', 'transport', 'http', 'recording', 'admin', 'config', 'proxy', 'endpoint', 'sse'],
  sources: ['errors', 'util', 'config', 'asyncapi'],
  cli: ['errors', 'util', 'log', 'config', 'server', 'sources', 'recording', 'asyncapi'],
};

const layerRules = Object.entries(LAYERS).map(([layer, allowed]) => {
  const forbidden = Object.keys(LAYERS).filter((other) => other !== layer && !allowed.includes(other));
  return {
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: forbidden.map((other) => ({
            group: [`../${other}/*`, `../../${other}/*`, `../../../${other}/*`],
            message: `${layer} may import only from ${allowed.join(', ') || 'nothing in src'}: ${other} is not below it (see docs/architecture.md).`,
          })),
        },
      ],
    },
  };
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'bench/.peers/', 'test-results/', '.tmp/', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  ...layerRules,
);
