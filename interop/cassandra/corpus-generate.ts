/**
 * `npm run corpus:cassandra`: regenerates test-data/cassandra/ with real Cassandra — for 4.1 (`nb`) and
 * 5.0 (`oa` and BTI `da`) the single-node cases (single-node-cases.ts) and the 3-node snapshot trees
 * (cluster-cases.ts). Options: `--only 4.1|5.0` keeps to one major, `--skip-clusters`, `--work <dir>`
 * (node folders, default a temp folder, removed afterwards unless `--keep`). Prints what it wrote and
 * how long each part took.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { writeClusterCase } from './cluster-cases.js';
import type { SSTableFormatName } from './node.js';
import { cassandraRuntime, type Major } from './runtime.js';
import { writeSingleNodeCases } from './single-node-cases.js';

const REPO = resolve(import.meta.dirname, '..', '..');
export const CORPUS_DIR = join(REPO, 'test-data', 'cassandra');

/** What each major writes: single-node formats and cluster formats. */
const PLAN: Record<Major, { single: SSTableFormatName[]; clusters: SSTableFormatName[] }> = {
  '4.1': { single: ['big'], clusters: ['big'] },
  '5.0': { single: ['big', 'bti'], clusters: ['big', 'bti'] },
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      'skip-clusters': { type: 'boolean' },
      work: { type: 'string' },
      keep: { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const out = values.out ? resolve(values.out) : CORPUS_DIR;
  const work = values.work ? resolve(values.work) : mkdtempSync(join(tmpdir(), 'datamove-corpus-'));
  const majors = (values.only ? [values.only] : Object.keys(PLAN)) as Major[];
  const t0 = Date.now();
  try {
    for (const major of majors) {
      const runtime = cassandraRuntime(major);
      const dir = join(out, major);
      mkdirSync(dir, { recursive: true });
      for (const format of PLAN[major].single) {
        const t = Date.now();
        const cases = await writeSingleNodeCases(runtime, format, work, dir);
        console.log(
          `${runtime.version} ${format}: ${cases.length} cases in ${((Date.now() - t) / 1000).toFixed(0)} s`,
        );
        for (const c of cases) console.log(`  ${c.name}: ${c.rows} rows`);
      }
      if (values['skip-clusters']) continue;
      for (const format of PLAN[major].clusters) {
        const t = Date.now();
        const name = `rf3-missed-writes-${format}`;
        const c = await writeClusterCase(runtime, format, work, dir, name);
        console.log(
          `${runtime.version} cluster ${c.name} (${c.format}) in ${((Date.now() - t) / 1000).toFixed(0)} s`,
        );
        for (const [k, v] of Object.entries(c.answers)) console.log(`  ${k}: ${JSON.stringify(v)}`);
      }
    }
    console.log(`corpus written to ${out} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  } finally {
    if (!values.keep) rmSync(work, { recursive: true, force: true });
  }
}

await main();
