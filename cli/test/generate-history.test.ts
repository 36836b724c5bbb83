/**
 * `datamove generate --history <days>`: the built CLI (one spawn) writes the backup history of
 * infra/generator/history.ts — the same files, byte for byte, as `generateHistory` with the same options —
 * and prints each backup's time, nodes and columns; a restore of it (in process) at a time between the node
 * joining and the column drop reads back equal to the history's oracle at that time.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { rowJsonFormatter, tableLiveRows } from '../../compactor/index.js';
import { restoreToSSTables } from '../../decider/index.js';
import {
  canon,
  generateHistory,
  HISTORY_START,
  historyJob,
  historyOracleRows,
  runCli,
} from '../../infra/index.js';
import { tableFolderOpen } from '../../reader/index.js';
import { localDirectory } from '../../storage/index.js';

const work = mkdtempSync(join(tmpdir(), 'datamove-gen-history-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir` → its bytes as base64. */
function tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return out;
}

it('writes the history generateHistory writes, prints its backups, and restores to its oracle', async () => {
  const out = join(work, 'cli');
  const r = await runCli(
    ['generate', '--history', '4', '--out', out, '--partitions', '60', '--layout', 'medusa', '--seed', '3'],
    { cwd: work },
  );
  expect(r.stderr).toBe(`generate: history of 4 daily backups from 2026-03-01T00:00:00.000Z into ${out}\n`);
  expect(r.code).toBe(0);
  const lines = r.stdout.trim().split('\n');
  expect(lines).toHaveLength(6);
  expect(lines[0]).toMatch(
    /^day1 2026-03-02T00:00:00\.000Z: 3 nodes, columns name, amount, score, legacy; \d+ rows in the oracle/,
  );
  expect(lines[2]).toMatch(
    /^day3 2026-03-04T00:00:00\.000Z: 4 nodes, columns name, amount, score, legacy, extra;/,
  );
  expect(lines[3]).toMatch(/^day4 2026-03-05T00:00:00\.000Z: 4 nodes, columns name, amount, score, extra;/);
  expect(lines[4]).toMatch(
    /^events: column extra added 2026-03-02T12:00:00\.000Z, node \S+ joined 2026-03-03T12:00:00\.000Z, column legacy dropped 2026-03-04T12:00:00\.000Z$/,
  );

  // the same options in process: the same files, byte for byte
  const direct = join(work, 'direct');
  const h = await generateHistory({
    out: direct,
    start: HISTORY_START,
    partitions: 60,
    layout: 'medusa',
    seed: 3,
  });
  const a = tree(out);
  const b = tree(direct);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  expect(a.size).toBeGreaterThan(20);
  for (const [k, v] of a) if (k !== join('oracle', 'history.json')) expect(v, k).toBe(b.get(k));
  expect(readFileSync(join(out, 'oracle', 'history.json'), 'utf8').replaceAll(out, '')).toBe(
    readFileSync(join(direct, 'oracle', 'history.json'), 'utf8').replaceAll(direct, ''),
  );
  for (const [i, x] of h.backups.entries())
    expect(lines[i]).toContain(`; ${x.oracleRows} rows in the oracle`);

  // what a user does next: restore it, here between the node joining and the column drop
  const atSec = h.backups[2]!.time + 5 * 3600;
  const restored = join(work, 'restored');
  const s = await restoreToSSTables(historyJob(out, work), {
    asOf: new Date(atSec * 1000).toISOString(),
    out: restored,
  });
  expect(s.backupIds).toEqual(['day3']);
  const rows: Record<string, unknown>[] = [];
  for (const set of s.sets) {
    const folder = await tableFolderOpen(localDirectory(join(restored, ...set.folder.split('/'))));
    try {
      const fmt = rowJsonFormatter(folder.model);
      for await (const row of tableLiveRows(folder, { now: atSec }))
        rows.push(fmt.format(row) as Record<string, unknown>);
    } finally {
      await folder.close();
    }
  }
  expect(rows.length).toBeGreaterThan(0);
  expect(canon(rows)).toEqual(canon(historyOracleRows(h, atSec * 1000)!));
}, 180_000);
