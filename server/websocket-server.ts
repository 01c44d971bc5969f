/**
 * The Cerberus dashboard's mock server, as its users start it: `npx tsx server/websocket-server.ts`
 * (or `npm run ws:dev`). A thin entry point: mockwave with the cerberus preset on ws://localhost:3001.
 * Any mockwave flag may follow, e.g. `--event-interval 500-1000 --seed 42`. Of the environment it reads only
 * `MOCKWAVE_*` variables (MOCKWAVE_PORT, MOCKWAVE_SEED, …): the guide's `PORT` and `WEBSOCKET_*` in a shared
 * `.env.local` belong to the guide's server, and the banner names the ones it left out.
 */
import { main } from '../src/cli/main.ts';

const code = await main({ argv: ['--preset', 'cerberus', ...process.argv.slice(2)], env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, envScope: 'mockwave' });
if (code === 130) process.exit(code);
process.exitCode = code;
