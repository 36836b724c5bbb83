/**
 * Apache Iceberg's own REST catalog server (`org.apache.iceberg.rest.RESTCatalogServer` from the
 * iceberg-open-api test-fixtures jar, the code of the apache/iceberg-rest-fixture image) as a child
 * process: a JdbcCatalog on a SQLite file behind it, a local warehouse folder, a free port on this machine.
 * Configured through its `CATALOG_*` environment variables (`CATALOG_REST_PORT` → `rest.port`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export interface JavaRestServer {
  /** Base URI without `/v1`. */
  readonly url: string;
  readonly warehouse: string;
  /** The server's output so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function javaRestServerStart(restJars: readonly string[], dir: string): Promise<JavaRestServer> {
  const port = await freePort();
  const warehouse = join(dir, 'rest-warehouse');
  const child: ChildProcess = spawn(
    'java',
    ['-Xmx384m', '-XX:+UseSerialGC', '-cp', restJars.join(':'), 'org.apache.iceberg.rest.RESTCatalogServer'],
    {
      env: {
        ...process.env,
        CATALOG_REST_PORT: String(port),
        CATALOG_URI: `jdbc:sqlite:${join(dir, 'rest-catalog.db')}`,
        CATALOG_WAREHOUSE: warehouse,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`REST catalog server exited (${child.exitCode}):\n${out}`);
    try {
      const res = await fetch(`${url}/v1/config`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`REST catalog server did not answer on ${url} within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    warehouse,
    log: () => out,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    },
  };
}
