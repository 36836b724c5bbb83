/**
 * A diff report as text (what `datamove diff` and `datamove shadow` print) and as JSON (`--json`:
 * the report object itself; bigints and binary are already strings in it).
 */
import { percentText } from '../core/index.js';
import type { DiffReport, SampleRow } from './diff.js';

const n = (x: number): string => x.toLocaleString('en-US');
const row = (r: SampleRow): string => JSON.stringify(r);

function side(label: string, r: DiffReport['c']): string {
  const snap = r.snapshot === undefined ? '' : ` snapshot ${r.snapshot.snapshotId} (${r.snapshot.timestamp})`;
  return `${label}: ${r.table ?? r.label}${snap}, ${r.files} data files`;
}

export function diffReportFormat(r: DiffReport): string {
  const lines = [side('C', r.c), side('M', r.m)];
  if (!r.schema.equal) {
    lines.push('schemas differ:');
    if (r.schema.onlyInC.length > 0) lines.push(`  only in C: ${r.schema.onlyInC.join(', ')}`);
    if (r.schema.onlyInM.length > 0) lines.push(`  only in M: ${r.schema.onlyInM.join(', ')}`);
    for (const t of r.schema.typeDiffers)
      lines.push(`  ${t.name}: ${t.c} in C, ${t.m} in M (compared as text)`);
    lines.push(`  compared columns: ${r.schema.common.map((c) => c.name).join(', ') || 'none'}`);
  }
  lines.push(
    `|C| = ${n(r.cRows)}  |M| = ${n(r.mRows)}  |C−M| = ${n(r.cMinusM)}  |M−C| = ${n(r.mMinusC)}  ` +
      `matched ${n(r.matched)}  similarity ${percentText(r.similarity, 4)}`,
  );
  const k = r.keyed;
  if (k !== undefined) {
    lines.push(
      `key (${k.key.join(', ')}): missing ${n(k.missing)} (key only in C), phantom ${n(k.phantom)} (key only in M), ` +
        `changed ${n(k.changed)} (same key, different values), duplicates ${n(k.duplicates)}`,
    );
    const cols = Object.entries(k.changedColumns);
    if (cols.length > 0)
      lines.push(`  changed columns: ${cols.map(([c, x]) => `${c} (${n(x)})`).join(', ')}`);
    if (k.samples.missing.length > 0) {
      lines.push('missing (in C, not in M):');
      for (const s of k.samples.missing) lines.push(`  ${row(s)}`);
    }
    if (k.samples.phantom.length > 0) {
      lines.push('phantom (in M, not in C):');
      for (const s of k.samples.phantom) lines.push(`  ${row(s)}`);
    }
    if (k.samples.changed.length > 0) {
      lines.push('changed (C → M):');
      for (const s of k.samples.changed)
        lines.push(
          `  ${row(s.key)}: ${Object.entries(s.columns)
            .map(([c, [a, b]]) => `${c} ${JSON.stringify(a)} → ${JSON.stringify(b)}`)
            .join(', ')}`,
        );
    }
  } else {
    if (r.samples.cMinusM.length > 0) {
      lines.push('C−M samples:');
      for (const s of r.samples.cMinusM) lines.push(`  ${row(s)}`);
    }
    if (r.samples.mMinusC.length > 0) {
      lines.push('M−C samples:');
      for (const s of r.samples.mMinusC) lines.push(`  ${row(s)}`);
    }
  }
  lines.push(r.equal ? 'C = M' : 'C ≠ M');
  return `${lines.join('\n')}\n`;
}
