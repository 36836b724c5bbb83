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
import { canonicalRow, corpusRoot, runCli } from '../../infra/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-dump-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A writable copy of a corpus case. */
function copyCase(name: string): string {
  const dst = join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
  cpSync(join(corpusRoot(), name), dst, { recursive: true });
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

describe('datamove sstable dump', () => {
  it('prints the live rows of a folder as JSON lines', async () => {
    const dir = join(corpusRoot(), 'mc-uncompressed-collections');
    const r = await runCli(['sstable', 'dump', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => canonicalRow(JSON.parse(l)));
    const expected = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')).expected.rows.map(canonicalRow);
    expect(rows.sort()).toEqual(expected.sort());
  });

  it('merges the SSTables of a folder, and --raw shows each unmerged', async () => {
    const dir = join(corpusRoot(), 'cassandra-nb-test3-two-sstables');
    const merged = await runCli(['sstable', 'dump', dir]);
    expect(merged.code).toBe(0);
    expect(
      merged.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([{ id: 1, col1: 10, col2: 20 }]);
    const raw = await runCli(['sstable', 'dump', dir, '--raw']);
    expect(raw.code).toBe(0);
    const lines = raw.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.partition).map((l) => l.sstable)).toEqual(['nb-1-big', 'nb-2-big']);
    const cells = lines
      .filter((l) => l.type === 'row')
      .flatMap((l) => l.cells.map((c: { name: string; value: unknown }) => [c.name, c.value]));
    expect(cells).toEqual([
      ['col1', 10],
      ['col2', 20],
    ]);
  });

  it('reads a single Data.db file', async () => {
    const dir = join(corpusRoot(), 'cassandra-nb-test3-two-sstables');
    const r = await runCli(['sstable', 'dump', join(dir, 'nb-2-big-Data.db')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ id: 1, col1: null, col2: 20 });
  });

  it('applies --now to TTLs', async () => {
    const dir = join(corpusRoot(), 'mc-uncompressed-ttl-row');
    const spec = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
    const before = await runCli(['sstable', 'dump', dir, '--now', spec.now]);
    const after = await runCli(['sstable', 'dump', dir, '--now', spec.expected_later.now]);
    expect(before.stdout.trimEnd().split('\n')).toHaveLength(spec.expected.rows.length);
    expect(after.stdout.trim() === '' ? [] : after.stdout.trimEnd().split('\n')).toHaveLength(
      spec.expected_later.rows.length,
    );
  });

  it('fails on a missing component', async () => {
    const dir = copyCase('mc-lz4-primitive-types');
    rmSync(join(dir, 'mc-1-big-CompressionInfo.db'));
    expectOneLineError(
      await runCli(['sstable', 'dump', dir]),
      /mc-1-big-CompressionInfo\.db: missing component/,
    );
  });

  it('fails on a truncated Data.db', async () => {
    const dir = copyCase('mc-uncompressed-multiple-rows');
    rmSync(join(dir, 'mc-1-big-CRC.db'), { force: true });
    rmSync(join(dir, 'mc-1-big-Digest.crc32'), { force: true });
    const data = join(dir, 'mc-1-big-Data.db');
    truncateSync(data, Math.floor(readFileSync(data).length / 2));
    expectOneLineError(await runCli(['sstable', 'dump', dir]), /mc-1-big-Data\.db at offset \d+: truncated/);
  });

  it('fails on a corrupt compressed chunk, naming the chunk and its offset', async () => {
    const dir = copyCase('mc-zstd-multiple-chunks');
    const data = join(dir, 'mc-1-big-Data.db');
    const bytes = readFileSync(data);
    bytes[bytes.length - 100] ^= 0xff;
    writeFileSync(data, bytes);
    const r = await runCli(['sstable', 'dump', dir]);
    expectOneLineError(r, /chunk \d+ of .*mc-1-big-Data\.db at offset \d+: crc mismatch/);
  });

  it('fails on a corrupt uncompressed chunk (CRC.db) and on a bad digest', async () => {
    expectOneLineError(
      await runCli(['sstable', 'dump', join(corpusRoot(), 'me-uncompressed-invalid-checksums')]),
      /chunk 1 of .*me-1-big-Data\.db at offset 65536: crc mismatch/,
    );
    expectOneLineError(
      await runCli(['sstable', 'dump', join(corpusRoot(), 'me-lz4-invalid-digest')]),
      /me-1-big-Data\.db: digest mismatch/,
    );
  });

  it('fails on an unknown SSTable version, naming the file and the version', async () => {
    const dir = copyCase('mc-uncompressed-simple');
    for (const f of readdirSync(dir))
      if (f.startsWith('mc-')) renameSync(join(dir, f), join(dir, f.replace(/^mc-/, 'zz-')));
    expectOneLineError(
      await runCli(['sstable', 'dump', dir]),
      /zz-1-big-Data\.db: unknown SSTable version 'zz'/,
    );
  });

  it('fails when schema.cql contradicts the header, naming the column', async () => {
    const dir = copyCase('mc-uncompressed-simple');
    writeFileSync(
      join(dir, 'schema.cql'),
      'CREATE TABLE ks.t (pk int, ck int, val text, PRIMARY KEY (pk, ck));',
    );
    expectOneLineError(
      await runCli(['sstable', 'dump', dir]),
      /column val is int in the header, text in the schema/,
    );
    writeFileSync(
      join(dir, 'schema.cql'),
      'CREATE TABLE ks.t (pk int, ck int, other int, PRIMARY KEY (pk, ck));',
    );
    expectOneLineError(await runCli(['sstable', 'dump', dir]), /column val \(int\) is not in the schema/);
  });

  it('fails on a path that does not exist and on a bad --now', async () => {
    expectOneLineError(await runCli(['sstable', 'dump', join(work, 'nope')]), /nope: no such file or folder/);
    expectOneLineError(
      await runCli(['sstable', 'dump', corpusRoot(), '--now', 'yesterday']),
      /--now: 'yesterday' is not an ISO-8601 time/,
    );
  });

  it('prints help with exit 0', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/sstable/);
  });
});
