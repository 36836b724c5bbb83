/**
 * The catalog contract suite (iceberg-writer/test/catalog-contract.test.ts) against Apache Iceberg's own
 * REST catalog server, in addition to the in-test server it always runs against: namespaces and tables,
 * stale requirements as retryable conflicts, concurrent commits, history, time travel, rollback, expire and
 * clean — through the server's real request handling and its JdbcCatalog.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JavaRestServer, javaRestServerStart } from './rest-server.js';
import { icebergInteropToolsOrSkip, tempDir } from './tools.js';

const tools = icebergInteropToolsOrSkip('iceberg REST contract (Apache Iceberg REST server)');

describe.skipIf(tools === undefined)('catalog contract against the Apache Iceberg REST server', () => {
  let dir: { path: string; cleanup(): Promise<void> };
  let server: JavaRestServer;
  beforeAll(async () => {
    dir = await tempDir('dm-interop-rest-');
    server = await javaRestServerStart(tools!.restJars, dir.path);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await dir?.cleanup();
  });

  it('every case of the contract suite passes on the real server', async () => {
    const args = [
      'node_modules/vitest/vitest.mjs',
      'run',
      'iceberg-writer/test/catalog-contract.test.ts',
      '-t',
      'rest \\(external server\\)',
    ];
    const env = {
      ...process.env,
      DATAMOVE_TEST_REST_URI: server.url,
      DATAMOVE_SKIP_BUILD: '1',
      NO_COLOR: '1',
      FORCE_COLOR: '0',
    };
    let out: string;
    let status = 0;
    try {
      const r = await promisify(execFile)(process.execPath, args, {
        env,
        timeout: 300_000,
        maxBuffer: 16 << 20,
      });
      out = `${r.stdout}\n${r.stderr}`;
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      status = x.code ?? 1;
      out = `${x.stdout ?? ''}\n${x.stderr ?? ''}`;
    }
    const passed = /Tests\s+(\d+) passed/.exec(
      out.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), ''),
    );
    expect(status, out.slice(-3000)).toBe(0);
    expect(out).toContain('rest (external server)');
    expect(Number(passed?.[1] ?? 0)).toBeGreaterThanOrEqual(4);
  }, 300_000);
});
