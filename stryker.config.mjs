// @ts-check
/**
 * Mutation testing with StrykerJS: one folder of src/ at a time (`npm run mutation -- security`, see
 * scripts/mutation.mjs), each with the test files that exercise it. Not part of CI: a run takes from minutes
 * to an hour or more on two cores. Scores and survivors: docs/reliability.md, "Mutation testing".
 *
 * The TAP runner starts one node process per test file, with Stryker's hook preloaded. Each file is run
 * directly (`node --import tsx file.test.ts`), not through `node --test`: that would run the file in a child
 * process of its own, where the hook that counts coverage and hits is not loaded. Coverage is per test file
 * (the TAP runner's "test" is a file), so a mutant runs only the files that reach its code.
 */

/** Each folder: the code mutated, and the test files that exercise it (fast ones first). */
const FOLDERS = {
  security: {
    mutate: ['src/security/**/*.ts'],
    tests: [
      'test/unit/security.test.ts',
      'test/unit/security-details.test.ts',
      'test/unit/admin-guard.test.ts',
      'test/unit/guards.test.ts',
      'test/integration/admin-control.test.ts',
      'test/integration/guards.test.ts',
    ],
  },
  transport: {
    mutate: ['src/transport/**/*.ts', 'src/sse/peer.ts'],
    tests: [
      'test/unit/frame-writer.test.ts',
      'test/unit/request-target.test.ts',
      // settings.ts: its bounds. (docs.test.ts, which would check its descriptions through the generated JSON
      // schema, fails in Stryker's sandbox, which leaves out docs/ and schema/: ignorePatterns below.)
      'test/unit/config.test.ts',
      'test/unit/guards.test.ts',
      'test/unit/proxy-bridge.test.ts',
      'test/unit/sse-peer.test.ts',
      'test/unit/ws-peer.test.ts',
      'test/unit/http-connections.test.ts',
      'test/integration/transport.test.ts',
      // transport.ts: the heartbeat, a port in use, a bearer.<token> subprotocol.
      'test/integration/lifecycle.test.ts',
      'test/integration/admin-control.test.ts',
      'test/integration/guards.test.ts',
      'test/integration/compression.test.ts',
      'test/integration/sse.test.ts',
      'test/integration/hostile-input.test.ts',
      'test/integration/http-guards.test.ts',
      'test/integration/sse-slow-reader.test.ts',
      'test/integration/attacks.test.ts',
    ],
  },
  http: {
    mutate: ['src/http/**/*.ts'],
    tests: [
      'test/unit/route-files.test.ts',
      'test/unit/compiled-route.test.ts',
      'test/unit/http-body.test.ts',
      'test/unit/http-steps-load.test.ts',
      'test/unit/request-view.test.ts',
      'test/unit/http-forward.test.ts',
      'test/unit/http-rate-limit.test.ts',
      'test/unit/http-hot-path.test.ts',
      'test/unit/http-steps.test.ts',
      'test/unit/http-collection.test.ts',
      'test/unit/http-respond.test.ts',
      // routes.ts: the journal's notes, reloads and routes changed at run time, state-gated routes.
      // (config-problems.test.ts cannot run in Stryker's sandbox: its Cerberus entry point test needs server/.)
      'test/integration/journal.test.ts',
      'test/integration/admin-control.test.ts',
      'test/integration/state.test.ts',
      'test/integration/collections.test.ts',
      // fault.ts
      'test/unit/refusal-answer.test.ts',
      'test/unit/guards.test.ts',
      'test/integration/one-door.test.ts',
      'test/integration/http-reach.test.ts',
      'test/integration/guards.test.ts',
      'test/integration/explain.test.ts',
      'test/integration/http-guards.test.ts',
      'test/integration/http-record.test.ts',
      'test/integration/http-hostile.test.ts',
      'test/integration/http-routes.test.ts',
      // routes.ts: the 404's words and closest routes, preflights, the fallback's log, removing a route.
      'test/integration/http-route-table.test.ts',
    ],
  },
  recording: {
    mutate: ['src/recording/**/*.ts'],
    tests: [
      'test/unit/recording-payload.test.ts',
      'test/unit/http-to-config.test.ts',
      'test/unit/sse-text-and-literals.test.ts',
      'test/perf/recording-scale.test.ts',
      'test/integration/recording-limits.test.ts',
      'test/integration/recording-format.test.ts',
      'test/integration/guards.test.ts',
      'test/integration/record-replay.test.ts',
      'test/integration/http-record.test.ts',
    ],
  },
};

const folder = process.env['MOCKWAVE_MUTATION_FOLDER'] ?? 'security';
const chosen = FOLDERS[/** @type {keyof typeof FOLDERS} */ (folder)];
if (chosen === undefined) throw new Error(`No mutation folder "${folder}": ${Object.keys(FOLDERS).join(', ')}`);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  plugins: ['@stryker-mutator/tap-runner'],
  testRunner: 'tap',
  tap: {
    testFiles: chosen.tests,
    nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
    forceBail: true,
  },
  coverageAnalysis: 'perTest',
  mutate: chosen.mutate,
  // The machine is shared: two test processes at most (each test file also starts its own servers).
  concurrency: 2,
  // Tests start real servers and wait on real sockets; a loaded machine is slow, not an endless loop.
  timeoutMS: 20_000,
  timeoutFactor: 2,
  dryRunTimeoutMinutes: 20,
  // Only what the tests read is copied to the sandbox (node_modules is linked, not copied).
  ignorePatterns: ['/dist', '/bench', '/dashboard', '/docs', '/schema', '/server', '/test-results', '/.tmp', '/.ci', '/.env*', '/reports', '*.log'],
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${folder}.html` },
  jsonReporter: { fileName: `reports/mutation/${folder}.json` },
  thresholds: { high: 90, low: 80, break: null },
};
