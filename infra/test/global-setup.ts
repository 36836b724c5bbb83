/**
 * Vitest global setup: compiles the project once so tests that spawn `bin/datamove.js` run the current
 * code. `DATAMOVE_SKIP_BUILD=1` skips it when only in-process tests are run.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.DATAMOVE_SKIP_BUILD === '1') return;
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
