/**
 * The snapshot layout on real `nodetool snapshot` output (test-data/cassandra/<version>/clusters): the
 * manifest.json Cassandra writes lists only each SSTable's Data.db, so the other components come from
 * its TOC.txt; a component the TOC names but the backup lacks makes the set INCOMPLETE naming the file;
 * `created_at` is read as an ISO instant or as epoch milliseconds.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cassandraClusterCases } from '../../../infra/index.js';
import { backupSourceOpen } from '../../source/source-uri.js';
import { backupCatalog } from '../backup-catalog.js';
import { backupLayoutResolve } from '../layouts.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-snapshot-layout-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const trees = cassandraClusterCases();

async function catalogOf(dir: string, table = 'events') {
  const source = backupSourceOpen(dir);
  const layout = await backupLayoutResolve(source, 'auto');
  expect(layout.name).toBe('snapshot');
  return backupCatalog(source, layout, { keyspace: 'dmc', table });
}

/** The `after` snapshot folder of node2's events table in a copy of a tree. */
function eventsFolder(tree: string): string {
  const ks = join(tree, 'dc1', 'node2', 'dmc');
  const dir = readdirSync(ks).find((d) => d.startsWith('events-'))!;
  return join(ks, dir, 'snapshots', 'after');
}

describe('snapshot layout on real nodetool snapshot trees', () => {
  it('the repository has the trees', () => {
    expect(trees.map((t) => t.version).sort()).toEqual(expect.arrayContaining(['4.1', '5.0']));
  });

  for (const t of trees) {
    it(`${t.version}/${t.name}: every component of every SSTable the manifest names, from its TOC`, async () => {
      const folder = eventsFolder(t.dir);
      const manifest = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8')) as { files: string[] };
      // Cassandra lists only the Data.db files
      expect(manifest.files.every((f) => f.endsWith('-Data.db'))).toBe(true);
      const cat = await catalogOf(t.dir);
      expect(cat.sets.map((s) => [s.id, s.status])).toEqual([
        ['before', 'COMPLETE'],
        ['after', 'COMPLETE'],
      ]);
      const node2 = cat.nodeBackups.find((b) => b.backup.node === 'node2' && b.backup.backupId === 'after')!;
      const names = node2.backup.tables[0]!.files.map((f) => f.name);
      const onDisk = readdirSync(folder).filter((f) => f !== 'manifest.json' && f !== 'schema.cql');
      expect(names.sort()).toEqual(onDisk.sort());
      // the set's size is that of every component, not of the Data.db files alone
      const bytes = onDisk.reduce((n, f) => n + readFileSync(join(folder, f)).length, 0);
      expect(node2.sizeBytes).toBe(bytes);
    });

    it(`${t.version}/${t.name}: a component named by the TOC but missing makes the set incomplete`, async () => {
      const copy = join(work, `${t.version}-${t.name}-missing`);
      cpSync(t.dir, copy, { recursive: true });
      const folder = eventsFolder(copy);
      const stats = readdirSync(folder).find((f) => f.endsWith('-Statistics.db'))!;
      rmSync(join(folder, stats));
      const cat = await catalogOf(copy);
      const after = cat.sets.find((s) => s.id === 'after')!;
      expect(after.status).toBe('INCOMPLETE');
      expect(after.problems.map((p) => p.kind)).toEqual(['file-missing']);
      expect(after.problems[0]!.message).toContain(`${stats} missing`);
      expect(after.problems[0]!.node).toBe('node2');
      expect(cat.sets.find((s) => s.id === 'before')!.status).toBe('COMPLETE');
    });
  }

  it('reads created_at as an ISO instant or as epoch milliseconds', async () => {
    const t = trees[0]!;
    const copy = join(work, 'epoch');
    cpSync(t.dir, copy, { recursive: true });
    const folder = eventsFolder(copy);
    const m = JSON.parse(readFileSync(join(folder, 'manifest.json'), 'utf8'));
    const iso = m.created_at as string;
    writeFileSync(
      join(folder, 'manifest.json'),
      JSON.stringify({ ...m, created_at: Date.parse(iso) - 5000 }),
    );
    const cat = await catalogOf(copy);
    const node2 = cat.nodeBackups.find((b) => b.backup.node === 'node2' && b.backup.backupId === 'after')!;
    expect(node2.backup.time).toBe(Date.parse(iso) - 5000);
    writeFileSync(join(folder, 'manifest.json'), JSON.stringify({ ...m, created_at: 'yesterday' }));
    await expect(catalogOf(copy)).rejects.toThrow(/manifest\.json: created_at 'yesterday' is not a time/);
  });
});
