/**
 * A throwaway PostgreSQL server for tests, from the Debian packages (`apt-get install postgresql`, which
 * .ci/run does): `initdb` of a new cluster in a temporary folder, `pg_ctl start` on a free port on
 * 127.0.0.1 (durability off: fsync, synchronous_commit, full_page_writes), one database, and `stop()`
 * removing it all. PostgreSQL refuses to run as root, so as root every server command runs as the
 * `postgres` user (`runuser -u postgres --`) in a folder that user owns.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { optionalTool } from './optional-tool.js';

const ROOT = '/usr/lib/postgresql';

/** The `bin` folder of the newest PostgreSQL under /usr/lib/postgresql, if any is installed. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(ROOT)) return undefined;
  const versions = readdirSync(ROOT)
    .filter((v) => existsSync(join(ROOT, v, 'bin', 'initdb')) && existsSync(join(ROOT, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length === 0 ? undefined : join(ROOT, versions[0]!, 'bin');
}

/**
 * Whether a suite can reach PostgreSQL: a server in DATAMOVE_TEST_PG, or the Debian packages for a
 * throwaway one. Without either the suite is skipped with one line, or fails where required
 * (DATAMOVE_TEST_REQUIRE_ALL=1, or DATAMOVE_TEST_REQUIRE_PG=1; infra/testing/optional-tool.ts).
 */
export function postgresAvailable(what: string): boolean {
  return optionalTool({
    tool: 'postgresql',
    what,
    install: 'apt-get install postgresql (or set DATAMOVE_TEST_PG to a postgresql:// URL)',
    requiredBy: 'DATAMOVE_TEST_REQUIRE_PG',
    present: () => Boolean(process.env.DATAMOVE_TEST_PG) || postgresBinDir() !== undefined,
  });
}

export interface PostgresServer {
  /** `postgresql://postgres@127.0.0.1:<port>/<database>` (trust authentication, loopback only). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const isRoot = (): boolean => process.getuid?.() === 0;

/** argv running `cmd` as the server's user. */
function asServerUser(cmd: string, args: readonly string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, [...args]];
}

function run(cmd: string, args: readonly string[]): Promise<string> {
  const [file, argv] = asServerUser(cmd, args);
  return new Promise((resolve, reject) => {
    execFile(file, argv, { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Starts a fresh cluster and creates `database`. Throws when PostgreSQL is not installed. */
export async function postgresServerStart(database = 'datamove_test'): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (bin === undefined) {
    throw new Error(`PostgreSQL is not installed (no ${ROOT}/*/bin/initdb): apt-get install postgresql`);
  }
  // /tmp rather than $TMPDIR: the postgres user must be able to reach the folder
  const dir = mkdtempSync(join(isRoot() ? '/tmp' : (process.env.TMPDIR ?? '/tmp'), 'dm-pg-'));
  if (isRoot()) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const pgCtl = join(bin, 'pg_ctl');
  let started = false;
  const stopSync = (): void => {
    if (started) {
      started = false;
      try {
        const [file, argv] = asServerUser(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']);
        execFileSync(file, argv, { stdio: 'ignore', timeout: 30_000 });
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // a test run that dies before stop() must not leave a server behind
  process.once('exit', stopSync);
  try {
    await run(join(bin, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    const port = await freePort();
    const opts = `-p ${port} -h 127.0.0.1 -k ${dir} -F -c synchronous_commit=off -c full_page_writes=off`;
    await run(pgCtl, ['-D', data, '-l', join(dir, 'server.log'), '-o', opts, '-w', '-t', '60', 'start']);
    started = true;
    const admin = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${port}/postgres` });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${database}`);
    } finally {
      await admin.end();
    }
    return {
      url: `postgresql://postgres@127.0.0.1:${port}/${database}`,
      port,
      async stop() {
        process.off('exit', stopSync);
        if (started) {
          started = false;
          // smart: wait for the sessions to end. A pool's end() resolves before its sockets are closed,
          // and a fast shutdown would send those clients a FATAL error that nothing listens for.
          await run(pgCtl, ['-D', data, '-m', 'smart', '-w', '-t', '10', 'stop']).catch(() =>
            run(pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined),
          );
        }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    process.off('exit', stopSync);
    stopSync();
    throw e;
  }
}
