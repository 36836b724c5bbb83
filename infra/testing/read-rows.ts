/** Test helper: the live rows of a table folder as canonical strings, sorted. */
import { rowJsonFormatter, tableLiveRows } from '../../compactor/index.js';
import { tableFolderOpen } from '../../reader/index.js';
import type { ByteSourceDirectory } from '../../storage/index.js';
import { canonicalRow } from '../corpus.js';

export async function liveRows(dir: ByteSourceDirectory, nowIso: string | undefined): Promise<string[]> {
  const table = await tableFolderOpen(dir, { verifyChecksums: true });
  const now = Math.floor((nowIso ? Date.parse(nowIso) : Date.now()) / 1000);
  const fmt = rowJsonFormatter(table.model);
  const rows: string[] = [];
  try {
    for await (const r of tableLiveRows(table, { now })) {
      rows.push(
        canonicalRow(
          JSON.parse(JSON.stringify(fmt.format(r), (_k, x) => (typeof x === 'bigint' ? x.toString() : x))),
        ),
      );
    }
  } finally {
    await table.close();
  }
  return rows.sort();
}
