/**
 * A real 3-node Cassandra 5.0 cluster written now (cluster-cases.ts: replicas made to differ by stopping
 * nodes during writes, two `nodetool snapshot` tags on every node, Cassandra's answers per consistency
 * level), then read by datamove with the same checks as the committed trees in `npm test`:
 * `backups list`, `backups select --as-of`, and `run` at ALL, QUORUM, ONE and as of the first snapshot.
 * The tree is written while the file is collected (it must exist before its tests are registered).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotTreeChecks } from '../../../infra/index.js';
import { writeClusterCase } from '../cluster-cases.js';
import { cassandraRuntime } from '../runtime.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-live-tree-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const written = await writeClusterCase(
  cassandraRuntime('5.0'),
  'big',
  join(work, 'nodes'),
  join(work, 'out'),
  'live',
);
rmSync(join(work, 'nodes'), { recursive: true, force: true });

describe(`a live Cassandra 5.0 snapshot tree (${written.format})`, () => {
  snapshotTreeChecks(join(work, 'out', 'clusters', 'live'), `5.0/live-${written.format}`, work, {
    it,
    expect,
  });
});
