/**
 * Where the Iceberg interop tools are: the venv (PyIceberg, pyspark, duckdb) and the jar folders that
 * `interop/iceberg/setup/setup.sh` installs into the interop cache, outside the repository. Without them a
 * suite skips with one line saying what is skipped and the setup command; with
 * `DATAMOVE_TEST_REQUIRE_ALL=1` (CI) their absence is a failure.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

export const SETUP_COMMAND = 'bash interop/iceberg/setup/setup.sh';

export interface IcebergInteropTools {
  readonly cache: string;
  /** The venv's python (PyIceberg, pyspark, duckdb). */
  readonly python: string;
  readonly sparkJars: readonly string[];
  /** Classpath of Apache Iceberg's REST catalog server. */
  readonly restJars: readonly string[];
  /** The `py/` folder of this harness. */
  readonly scripts: string;
}

function jarsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => join(dir, f));
}

/** The tools, or the reason they are missing. */
export function icebergInteropTools(): IcebergInteropTools | { missing: string } {
  const root = process.env.DATAMOVE_INTEROP_CACHE ?? join(homedir(), '.cache', 'datamove', 'interop');
  const cache = join(root, 'iceberg');
  const python = join(cache, 'venv', 'bin', 'python');
  const sparkJars = jarsIn(join(cache, 'jars', 'spark'));
  const restJars = jarsIn(join(cache, 'jars', 'rest'));
  if (!existsSync(python)) return { missing: `no Python venv at ${join(cache, 'venv')}` };
  if (!sparkJars.some((j) => j.includes('iceberg-spark-runtime')))
    return { missing: `no Iceberg Spark runtime in ${join(cache, 'jars', 'spark')}` };
  if (!restJars.some((j) => j.includes('iceberg-open-api')))
    return { missing: `no REST catalog server jars in ${join(cache, 'jars', 'rest')}` };
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return { missing: 'no java on PATH' };
  }
  return { cache, python, sparkJars, restJars, scripts: new URL('./py/', import.meta.url).pathname };
}

/**
 * The tools for a suite, or undefined after printing why it is skipped. Throws when CI requires every
 * optional tool (`DATAMOVE_TEST_REQUIRE_ALL=1`).
 */
export function icebergInteropToolsOrSkip(suite: string): IcebergInteropTools | undefined {
  const t = icebergInteropTools();
  if (!('missing' in t)) return t;
  const line = `${suite}: skipped (${t.missing}); install the tools with: ${SETUP_COMMAND}`;
  if (process.env.DATAMOVE_TEST_REQUIRE_ALL === '1') throw new Error(`${line} — required in CI`);
  console.warn(line);
  return undefined;
}

/** A temporary folder and its removal. */
export async function tempDir(prefix: string): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
