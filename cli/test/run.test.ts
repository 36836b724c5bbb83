/**
 * `datamove run` and `datamove decide` end to end: the built CLI (spawned) over a generated backup in the
 * embedded S3, with a job file, a controller file, a `--connector` override, a one-off run from flags, and
 * the one-line errors of a bad job file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHistoryOpen } from '../../decider/index.js';
import type { CliResult } from '../../infra/index.js';
import { type EmbeddedS3, embeddedS3Start, GEN, generate, REPO_ROOT } from '../../infra/index.js';
import { s3OptionsResolve } from '../../storage/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-run-'));
let s3: EmbeddedS3;

function cli(args: readonly string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/datamove.js'), ...args], {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: work,
        AWS_ACCESS_KEY_ID: 'S3RVER',
        AWS_SECRET_ACCESS_KEY: 'S3RVER',
        AWS_REGION: 'us-east-1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * Each stream alone is clean (both are pipes here, not terminals): stdout holds only the human output —
 * `decision:`, `plan:`, `summary:` lines and their indented details, no JSON — and stderr only JSON log
 * lines with a level and an event. Returns the events logged.
 */
function streamsClean(r: CliResult): string[] {
  const lines = (t: string) => t.split('\n').filter((l) => l !== '');
  for (const l of lines(r.stdout)) expect(l).toMatch(/^(?:(?:decision|plan|summary): | {2,}\S)/);
  expect(r.stdout).not.toMatch(/^\s*\{/m);
  const events: string[] = [];
  for (const l of lines(r.stderr)) {
    let rec: { level?: unknown; event?: unknown; msg?: unknown } = {};
    expect(() => (rec = JSON.parse(l))).not.toThrow();
    expect([typeof rec.level, typeof rec.event, typeof rec.msg]).toEqual(['string', 'string', 'string']);
    events.push(rec.event as string);
  }
  return events;
}

const jobYaml = (extra = '') => `name: gen-narrow
source:
  uri: s3://backups/cluster
  cluster: test-cluster
  s3: { endpoint: "${s3.endpoint}", pathStyle: true }
  keyspace: gen
  table: narrow
connector: { name: raw }
consistency: all
now: "2026-01-01T00:00:00Z"
target: { namespace: lake, table: narrow }
${extra}`;

beforeAll(async () => {
  s3 = await embeddedS3Start({ dir: join(work, 's3'), buckets: ['backups'] });
  await generate({
    ...GEN,
    out: 's3://backups/cluster',
    preset: 'narrow',
    partitions: 30,
    s3: s3OptionsResolve(s3.options),
  });
  writeFileSync(join(work, 'job.yaml'), jobYaml());
  writeFileSync(
    join(work, 'controller.yaml'),
    'rules:\n  - name: old-cluster\n    match: { cluster: "test-*", table: narrow }\n    connector: legacy\n',
  );
}, 60_000);
afterAll(async () => {
  await s3?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('datamove run', () => {
  it('runs a job file on the new path and prints decision, plan and summary', async () => {
    const r = await cli(['run', 'job.yaml']);
    expect(r.stderr).not.toMatch(/datamove: /);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^decision: new — no rule applies → default new$/m);
    expect(r.stdout).toMatch(
      /^plan: job gen-narrow: connector raw → lake\.narrow \(overwrite\), consistency all/m,
    );
    expect(r.stdout).toMatch(/connector used: new; fallback: no/);
    expect(r.stdout).toMatch(/rows: \d+, bytes: \d+ \([\d.]+ MiB\), files: 1, snapshot: \d+/);
    expect(r.stdout).toMatch(/duration: [\d.]+ s, CPU: [\d.]+ s/);
    expect(streamsClean(r)).toEqual(expect.arrayContaining(['decision', 'plan', 'run-finished']));
  }, 60_000);

  it('the controller file picks the legacy path; --connector overrides it; decide names the rule', async () => {
    const d = await cli(['decide', 'job.yaml', '--controller', 'controller.yaml']);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(
      /^gen-narrow: legacy\n {2}rule 1 \(old-cluster\) \[cluster=test-\* table=narrow\] → legacy/,
    );
    const legacy = await cli(['run', 'job.yaml', '--controller', 'controller.yaml', '--json']);
    expect(legacy.code).toBe(0);
    const s = JSON.parse(legacy.stdout) as { connectorUsed: string; rows: number; fallback?: unknown };
    expect(s.connectorUsed).toBe('legacy');
    const forced = await cli([
      'run',
      'job.yaml',
      '--controller',
      'controller.yaml',
      '--connector',
      'new',
      '--json',
    ]);
    const f = JSON.parse(forced.stdout) as { connectorUsed: string; rows: number };
    expect(f.connectorUsed).toBe('new');
    expect(f.rows).toBe(s.rows);
    const h = runHistoryOpen(join(work, '.datamove', 'runs.db'));
    try {
      expect(h.runs('gen-narrow').map((x) => x.connectorUsed)).toEqual(['new', 'legacy', 'new']);
    } finally {
      h.close();
    }
  }, 60_000);

  it('--dry-run prints the plan and writes nothing; on a non-TTY, output on stdout and logs on stderr', async () => {
    const r = await cli(['run', 'job.yaml', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/main source narrow: \d+ tasks/);
    expect(r.stdout).toMatch(/connector used: none \(dry run\)/);
    // the human output, in order: decision, the plan, the compaction plan's tasks, the summary
    expect(r.stdout).toMatch(
      /^decision: [^\n]+\nplan: job gen-narrow[\s\S]*\n {2}task 0: [\s\S]*\nsummary: job gen-narrow/,
    );
    expect(streamsClean(r)).toEqual(['decision', 'plan', 'dry-run-finished']);
  }, 60_000);

  it('a one-off run from flags writes to the warehouse with its own SQLite catalog', async () => {
    const wh = join(work, 'oneoff');
    const r = await cli([
      'run',
      '--source',
      's3://backups/cluster',
      '--connector',
      'raw',
      '--warehouse',
      wh,
      '--consistency',
      'all',
      '--s3-endpoint',
      s3.endpoint,
    ]);
    expect(r.stderr).not.toMatch(/datamove: /);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/summary: job run-gen-narrow, run .* → gen\.narrow/);
    const t = await cli(['table', 'snapshots', 'gen.narrow', '--catalog', join(wh, 'catalog.db'), '--json']);
    expect(t.code).toBe(0);
  }, 60_000);

  it('a bad job file is one line naming the file and the field, exit 2', async () => {
    writeFileSync(join(work, 'bad.yaml'), jobYaml('consistency: two\n').replace('consistency: all\n', ''));
    const r = await cli(['run', 'bad.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^datamove: bad\.yaml: consistency: .*\n$/);
  }, 60_000);
});
