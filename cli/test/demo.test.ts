/**
 * `datamove demo` (the README's main command) runs in a fresh folder: every job through the decider, the
 * narrow job shadow-validated (C = M), its summaries, the diff and a DuckDB query, a dashboard, and
 * everything left under ./.datamove.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

it('demo runs every job through the decider and queries the result', async () => {
  const started = Date.now();
  const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/datamove.js'), 'demo', '--port', '0'], {
      cwd: work,
      env: { PATH: process.env.PATH ?? '', HOME: work },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  const seconds = (Date.now() - started) / 1000;
  expect(r.stderr).not.toMatch(/datamove: /);
  expect(r.code).toBe(0);
  // the demo knows everything about the backups it generated, and no dependency warns: nothing to warn about
  expect(r.stderr).not.toMatch(/warn/i);
  expect(r.stdout).not.toMatch(/\bwarn(ing)?\b/i);
  expect(r.stdout).toMatch(/^decision: new — rule 2 \(kv-canary\)/m);
  expect(r.stdout.match(/^summary: job /gm)).toHaveLength(3);
  expect(r.stdout.match(/fallback: no/g)).toHaveLength(3);
  // the shadow run: both paths, the diff says they wrote the same rows
  expect(
    r.stdout
      .match(/^ {2}connector used: (new|legacy)/gm)
      ?.slice(0, 2)
      .sort(),
  ).toEqual(['  connector used: legacy', '  connector used: new']);
  expect(r.stdout).toMatch(/\|C−M\| = 0 {2}\|M−C\| = 0/);
  expect(r.stdout).toMatch(/^C = M$/m);
  expect(r.stdout).toMatch(/shadow validation C = M/);
  expect(r.stdout).toMatch(/== DuckDB over the Iceberg table demo\.narrow/);
  expect(r.stdout).toMatch(/\{"rows":"\d+","partitions":"\d+"/);
  expect(r.stdout).toMatch(/Look around/);
  // the new and legacy paths wrote the same number of rows
  const rows = [...r.stdout.matchAll(/rows: (\d+), bytes/g)].map((m) => m[1]);
  expect(rows[0]).toBe(rows[1]);
  for (const p of [
    'catalog.db',
    'runs.db',
    'warehouse/demo/narrow',
    'demo/jobs/narrow.yaml',
    'demo/controller.yaml',
    'report.html',
    'warehouse/demo/narrow__shadow_legacy',
    's3',
  ])
    expect(existsSync(join(work, '.datamove', p)), p).toBe(true);
  expect(seconds).toBeLessThan(60);
}, 90_000);
