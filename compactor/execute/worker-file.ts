/**
 * Where the piscina worker entry is. Node loads workers as JavaScript, so the pool always runs the compiled
 * `dist/compactor/worker/compact-worker.js`:
 * - running from dist (the CLI, benches), this module is `dist/compactor/execute/worker-file.js` and the
 *   worker sits next to it at `../worker/compact-worker.js`;
 * - running from TypeScript sources (vitest), this module is `compactor/execute/worker-file.ts`; the same
 *   relative file does not exist, so the path is mapped into `<repo>/dist/…`. Tests therefore need a build:
 *   vitest's global setup runs `tsc -p tsconfig.build.json` unless DATAMOVE_SKIP_BUILD=1 (then build
 *   first). Chosen over a TypeScript loader in the worker because Node 20 cannot strip types and the worker
 *   must be exactly what production runs.
 * Host-side pool code is the only compactor code besides the worker entry that touches `node:*`.
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatamoveError } from '../../core/index.js';

export function compactWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  const beside = join(dirname(here), '..', 'worker', 'compact-worker.js');
  if (here.endsWith('.js') && existsSync(beside)) return beside;
  // from sources: <repo>/compactor/execute/worker-file.ts → <repo>/dist/compactor/worker/compact-worker.js
  const repo = join(dirname(here), '..', '..');
  const built = join(repo, 'dist', 'compactor', 'worker', 'compact-worker.js');
  if (existsSync(built)) return built;
  throw new DatamoveError(
    'NotFound',
    `compactor: worker entry ${relative(process.cwd(), built)} is missing; build first (npx tsc -p tsconfig.build.json)`,
    { context: { file: built } },
  );
}

/**
 * A sink module the workers import (a connector's or the restore's), given by its path from the repository
 * root without extension (`connectors/runner/connector-sink`): the compiled `.js` beside the caller when it
 * runs from dist; from sources (vitest), the TypeScript module for inline runs (same thread) and the build
 * for worker threads, which load JavaScript only. `who` names the component in the error.
 */
export function sinkModuleFile(module: string, pool: 'threads' | 'inline', who: string): string {
  const here = fileURLToPath(import.meta.url);
  const repo = join(dirname(here), '..', '..');
  if (here.endsWith('.js')) return join(repo, `${module}.js`);
  if (pool === 'inline') return join(repo, `${module}.ts`);
  const built = join(repo, 'dist', `${module}.js`);
  if (!existsSync(built))
    throw new DatamoveError(
      'NotFound',
      `${who}: worker sink ${built} is missing; build first (npx tsc -p tsconfig.build.json)`,
      { context: { file: built } },
    );
  return built;
}
