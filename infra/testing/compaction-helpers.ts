/** Shared helpers of the compaction tests: generate a backup, plan it, run it, read the output back. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CompactionPlan } from '../../compactor/index.js';
import {
  type CompactionRunOptions,
  type CompactionRunResult,
  type CompactOptions,
  compactionPlan,
  compactionRun,
  compactOptionsResolve,
} from '../../compactor/index.js';
import type { BackupSource } from '../../reader/index.js';
import { type BackupSourceOpenOptions, backupSourceOpen } from '../../reader/index.js';
import { canonicalRow } from '../corpus.js';
import type { GenerateOptions } from '../generator/generate.js';

export const NOW = Math.floor(Date.parse('2026-01-01T00:00:00Z') / 1000);
export const MACHINE = { cores: 2, memoryBytes: 4 * 1024 ** 3 };

export const BASE: Omit<GenerateOptions, 'out' | 'preset'> = {
  nodes: 4,
  dcs: 1,
  replicationFactor: 3,
  numTokens: 8,
  seed: 42,
  bytes: 0,
  wideBytes: 1 << 20,
  partitions: 60,
  flushes: 3,
  version: 'nb',
  compression: 'lz4',
  now: NOW,
  keyspace: 'gen',
  tag: 'snap1',
  nodeExpectations: false,
  missRate: 0.1,
};

export function jsonlFile(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => canonicalRow(JSON.parse(l)));
}

export async function planFor(
  uri: string,
  options: Partial<CompactOptions> & { keyspace: string; table: string },
  sourceOptions: BackupSourceOpenOptions = {},
): Promise<CompactionPlan> {
  const source: BackupSource = backupSourceOpen(uri, sourceOptions);
  try {
    return await compactionPlan(source, compactOptionsResolve({ now: NOW, ...options }, MACHINE));
  } finally {
    await source.close();
  }
}

/** Runs the plan with the JSON lines sink and returns the rows in task order (canonical strings). */
export async function runToRows(
  plan: CompactionPlan,
  options: Omit<CompactionRunOptions, 'sink'> = {},
): Promise<{ rows: string[]; result: CompactionRunResult }> {
  const dir = mkdtempSync(join(tmpdir(), 'datamove-compact-out-'));
  mkdirSync(dir, { recursive: true });
  const result = await compactionRun(plan, { pool: 'inline', ...options, sink: { kind: 'jsonl', dir } });
  const rows: string[] = [];
  for (const t of result.tasks) if (t.result?.file) rows.push(...jsonlFile(t.result.file));
  // no attempt file may survive
  const left = readdirSync(dir).filter((f) => f.includes('.attempt-'));
  if (left.length > 0) throw new Error(`attempt files left behind: ${left.join(', ')}`);
  return { rows, result };
}
