/**
 * The contract every backup layout keeps, looped over all members (kysely's `for (const dialect of
 * DIALECTS)`): detection, listing with completeness, selection as of a time with skew, schema and
 * topology of the selected backup, and reading a node's table through `tableFolderOpen` unchanged.
 * Backups are built from a corpus case in a local folder (the S3 path is covered by s3-backups.test.ts).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backupFixtureWrite,
  canonicalRow,
  corpusRoot,
  FIXTURE_NODES,
  type FixtureLayout,
  liveRows,
  localSink,
} from '../../../infra/index.js';
import { backupSourceOpen } from '../../source/source-uri.js';
import { backupCatalog } from '../backup-catalog.js';
import { backupSelect } from '../backup-select.js';
import { backupTableDirectory } from '../backup-table-directory.js';
import { backupLayoutResolve } from '../layouts.js';

const FIXTURE_LAYOUTS: readonly { fixture: FixtureLayout; layout: string }[] = [
  { fixture: 'snapshot', layout: 'snapshot' },
  { fixture: 'medusa', layout: 'medusa' },
  { fixture: 'medusa-differential', layout: 'medusa' },
  { fixture: 'scylla-manager', layout: 'scylla-manager' },
];

const CASE = 'mc-lz4-primitive-types';
const caseDir = join(corpusRoot(), CASE);
const spec = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8'));
const expectedRows = (spec.expected.rows as Record<string, unknown>[]).map(canonicalRow).sort();
const work = mkdtempSync(join(tmpdir(), 'datamove-layouts-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const H = 3600_000;
const T0 = Date.parse('2024-05-01T00:00:00Z');
const schemaV2 = readFileSync(join(caseDir, 'schema.cql'), 'utf8').replace(
  /\)\s*(WITH|;|$)/,
  ', added_later text) $1',
);

for (const { fixture, layout } of FIXTURE_LAYOUTS) {
  describe(`backup layout ${fixture}`, async () => {
    const dir = join(work, fixture);
    const written = await backupFixtureWrite(localSink(dir), {
      caseDir,
      layout: fixture,
      nodes: FIXTURE_NODES,
      backups: [
        // nodes snapshot hours apart
        { id: 'b1', time: T0 },
        { id: 'b2', time: T0 + 24 * H, nodes: ['node1.example.com', 'node2.example.com'] },
        { id: 'b3', time: T0 + 48 * H, schemaText: schemaV2 },
      ],
    });
    const source = backupSourceOpen(dir);
    const filter = { keyspace: written.keyspace, table: written.table };

    it('is detected', async () => {
      expect((await backupLayoutResolve(source, 'auto')).name).toBe(layout);
    });

    it('lists every backup set with completeness, nodes, size and schema version', async () => {
      const l = await backupLayoutResolve(source, layout);
      const cat = await backupCatalog(source, l, filter);
      expect(cat.sets.map((s) => s.id)).toEqual(written.ids);
      const [b1, b2, b3] = cat.sets;
      expect(b1!.status).toBe('COMPLETE');
      expect(b1!.nodes).toEqual(FIXTURE_NODES.map((n) => n.node));
      expect(b1!.dcs).toEqual(['dc1']);
      expect(b1!.sizeBytes).toBeGreaterThan(0);
      expect(b1!.time).toBe(new Date(T0).toISOString());
      expect(b2!.status).toBe('INCOMPLETE');
      expect(b2!.problems.map((p) => [p.kind, p.node])).toEqual([['node-missing', 'node3.example.com']]);
      expect(b3!.status).toBe('COMPLETE');
      expect(b3!.schemaVersions).toHaveLength(1);
      expect(b3!.schemaVersions[0]).not.toBe(b1!.schemaVersions[0]);
    });

    it('selects per node the latest complete backup at or before T, within the skew window', async () => {
      const l = await backupLayoutResolve(source, layout);
      // at b2's time node3 has nothing newer than b1, 24 h earlier: inside the default 24 h window
      const set = await backupSelect(source, l, { asOf: T0 + 24 * H, filter });
      expect(set.nodes.map((n) => [n.node, n.backupId])).toEqual([
        ['node1.example.com', written.ids[1]],
        ['node2.example.com', written.ids[1]],
        ['node3.example.com', written.ids[0]],
      ]);
      expect(set.nodes[0]!.tokens).toEqual(['-9223372036854775808']);
      expect(set.nodes[2]!.dc).toBe('dc1');
      expect(set.schema?.text).not.toContain('added_later');
      // a 12 h window leaves node3 without a usable backup
      await expect(backupSelect(source, l, { asOf: T0 + 24 * H, skewMs: 12 * H, filter })).rejects.toThrow(
        /node node3\.example\.com: .*older than the 12 h skew window/,
      );
      const allowed = await backupSelect(source, l, {
        asOf: T0 + 24 * H,
        skewMs: 12 * H,
        filter,
        missingAllowed: (missing) => missing.length <= 1,
      });
      expect(allowed.missingNodes).toEqual(['node3.example.com']);
      // after the schema change, the new schema comes with the set
      const later = await backupSelect(source, l, { asOf: T0 + 49 * H, filter });
      expect(later.backupIds).toEqual([written.ids[2]]);
      expect(later.schema?.text).toContain('added_later');
      await expect(backupSelect(source, l, { asOf: T0 - H, filter })).rejects.toThrow(
        /no .* backup taken at or before/,
      );
    });

    it("reads a node's table of the selected set through tableFolderOpen", async () => {
      const l = await backupLayoutResolve(source, layout);
      const set = await backupSelect(source, l, { asOf: T0 + H, filter });
      const table = set.nodes[1]!.tables[0]!;
      expect(table.files.every((f) => f.size > 0)).toBe(true);
      const d = backupTableDirectory(source, set, 'node2.example.com', written.keyspace, written.table);
      expect(await liveRows(d, spec.now)).toEqual(expectedRows);
    });
  });
}
