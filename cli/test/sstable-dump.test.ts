/**
 * `datamove sstable dump` end to end through the built command: rows on stdout; for each kind of bad
 * input (missing component, truncated file, corrupt chunk, unknown version, schema mismatch) one line on
 * stderr naming the file and the problem, exit code 2, and no stack trace.
 */
import {
  chmodSync,
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CASSANDRA_CORPUS, canonicalRow, corpusCase, runCli } from '../../infra/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-dump-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A writable copy of a corpus case. */
function copyCase(name: string): string {
  const dst = join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(corpusCase(name).dir, dst, { recursive: true });
  for (const f of readdirSync(dst)) chmodSync(join(dst, f), 0o644);
  return dst;
}

function expectOneLineError(r: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^datamove: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const dirOf = (name: string): string => corpusCase(name).dir;
const nowOf = (dir: string): string => JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')).now;
const jsonLines = (out: string): Record<string, unknown>[] =>
  out.trim() === ''
    ? []
    : out
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));

describe('datamove sstable dump', () => {
  it('prints the live rows of a folder as JSON lines', async () => {
    const dir = dirOf('nb-collections-snappy');
    const r = await runCli(['sstable', 'dump', dir, '--now', nowOf(dir)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = jsonLines(r.stdout).map(canonicalRow);
    const expected = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')).expected.rows.map(canonicalRow);
    expect(rows.sort()).toEqual(expected.sort());
  });

  it('merges the SSTables of a folder, and --raw shows each unmerged', async () => {
    const dir = dirOf('nb-natives-lz4');
    const merged = await runCli(['sstable', 'dump', dir]);
    expect(merged.code).toBe(0);
    const k1 = jsonLines(merged.stdout).find((r) => r.k === 1)!;
    // the first flush wrote every column of k = 1, the second changed n and t
    expect(k1).toMatchObject({ k: 1, n: 42, t: 'second flush', a: 'ascii text', si: 32767 });
    const raw = await runCli(['sstable', 'dump', dir, '--raw']);
    expect(raw.code).toBe(0);
    const lines = jsonLines(raw.stdout) as {
      partition?: unknown;
      sstable?: string;
      type?: string;
      cells?: { name: string; value: unknown }[];
    }[];
    expect([...new Set(lines.filter((l) => l.partition).map((l) => l.sstable))]).toEqual([
      'nb-1-big',
      'nb-2-big',
    ]);
    const names = lines.filter((l) => l.type === 'row').map((l) => l.cells!.map((c) => c.name).join(','));
    expect(names).toContain('n,t');
  });

  it('reads a single Data.db file', async () => {
    const dir = dirOf('nb-natives-lz4');
    const r = await runCli(['sstable', 'dump', join(dir, 'nb-2-big-Data.db')]);
    expect(r.code).toBe(0);
    const rows = jsonLines(r.stdout);
    expect(rows.map((x) => x.k).sort()).toEqual([1, 5, 6]);
    const k1 = rows.find((x) => x.k === 1)!;
    expect(Object.entries(k1).filter(([, v]) => v !== null)).toEqual([
      ['k', 1],
      ['n', 42],
      ['t', 'second flush'],
    ]);
  });

  it('applies --now to TTLs', async () => {
    const dir = dirOf('nb-ttl-timestamp-lz4');
    const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
    const at = (ms: number) => runCli(['sstable', 'dump', dir, '--now', new Date(ms).toISOString()]);
    const now = Date.parse(spec.now);
    const rows = jsonLines((await at(now)).stdout);
    expect(rows.map(canonicalRow).sort()).toEqual(spec.expected.rows.map(canonicalRow).sort());
    // an hour earlier the 2-second TTLs had not run out; two years later the 1-year TTL has
    const before = jsonLines((await at(now - 3600_000)).stdout);
    expect(before.find((r) => r.pk === 1 && r.ck === 1)).toMatchObject({ a: 1, b: 'expires' });
    expect(before.find((r) => r.pk === 4)).toMatchObject({ a: 40 });
    const later = jsonLines((await at(now + 2 * 365 * 86400_000)).stdout);
    expect(later.find((r) => r.pk === 1 && r.ck === 2)).toBeUndefined();
    expect(rows.find((r) => r.pk === 1 && r.ck === 2)).toMatchObject({ b: 'lives a year' });
  });

  it('fails on a missing component', async () => {
    const dir = copyCase('nb-natives-lz4');
    rmSync(join(dir, 'nb-1-big-CompressionInfo.db'));
    expectOneLineError(
      await runCli(['sstable', 'dump', dir]),
      /nb-1-big-CompressionInfo\.db: missing component/,
    );
  });

  it('fails on a truncated Data.db', async () => {
    const dir = copyCase('nb-wide-partition-none');
    const data = join(dir, 'nb-1-big-Data.db');
    truncateSync(data, Math.floor(readFileSync(data).length / 2));
    expectOneLineError(
      await runCli(['sstable', 'dump', dir, '--no-verify']),
      /nb-1-big-Data\.db at offset \d+: truncated/,
    );
  });

  it('fails on a corrupt compressed chunk, naming the chunk and its offset', async () => {
    const dir = copyCase('oa-clustering-types-zstd');
    const data = join(dir, 'oa-1-big-Data.db');
    const bytes = readFileSync(data);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(data, bytes);
    const r = await runCli(['sstable', 'dump', dir]);
    expectOneLineError(r, /chunk \d+ of .*oa-1-big-Data\.db at offset \d+: crc mismatch/);
  });

  it('fails on a corrupt uncompressed chunk (CRC.db) and on a bad digest', async () => {
    const wide = copyCase('nb-wide-partition-none');
    const data = join(wide, 'nb-1-big-Data.db');
    const bytes = readFileSync(data);
    bytes[70_000] ^= 0xff;
    writeFileSync(data, bytes);
    expectOneLineError(
      await runCli(['sstable', 'dump', wide]),
      /chunk 1 of .*nb-1-big-Data\.db at offset 65536: crc mismatch/,
    );
    const natives = copyCase('nb-natives-lz4');
    writeFileSync(join(natives, 'nb-1-big-Digest.crc32'), '12345');
    expectOneLineError(await runCli(['sstable', 'dump', natives]), /nb-1-big-Data\.db: digest mismatch/);
  });

  it('fails on an unknown SSTable version, naming the file and the version', async () => {
    const dir = copyCase('nb-deletions-lz4');
    for (const f of readdirSync(dir))
      if (f.startsWith('nb-')) renameSync(join(dir, f), join(dir, f.replace(/^nb-/, 'zz-')));
    expectOneLineError(
      await runCli(['sstable', 'dump', dir]),
      /zz-\d+-big-Data\.db: unknown SSTable version 'zz'/,
    );
  });

  it('fails when schema.cql contradicts the header, naming the column', async () => {
    const dir = copyCase('nb-ttl-timestamp-lz4');
    writeFileSync(
      join(dir, 'schema.cql'),
      'CREATE TABLE ks.t (pk int, ck int, a int, b int, PRIMARY KEY (pk, ck));',
    );
    expectOneLineError(
      await runCli(['sstable', 'dump', dir]),
      /column b is text in the header, int in the schema/,
    );
    writeFileSync(
      join(dir, 'schema.cql'),
      'CREATE TABLE ks.t (pk int, ck int, a int, other int, PRIMARY KEY (pk, ck));',
    );
    expectOneLineError(await runCli(['sstable', 'dump', dir]), /column b \(text\) is not in the schema/);
  });

  it('fails on a path that does not exist and on a bad --now', async () => {
    expectOneLineError(await runCli(['sstable', 'dump', join(work, 'nope')]), /nope: no such file or folder/);
    expectOneLineError(
      await runCli(['sstable', 'dump', CASSANDRA_CORPUS, '--now', 'yesterday']),
      /--now: 'yesterday' is not an ISO-8601 time/,
    );
  });

  it('prints help with exit 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sstable/);
  });
});
