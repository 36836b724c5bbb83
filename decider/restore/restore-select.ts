/**
 * Which backups a restore as of T reads: the latest complete backup set at or before T (backupSelect,
 * every node of that set's ring required — a restore is exact or it fails). When there is none, the error
 * says why in one line: T is before the first backup, or which node lacks a complete backup at T and the
 * earliest time a restore can be made (the first backup time at which a complete set exists).
 */
import { DatamoveError, isDatamoveError } from '../../core/index.js';
import type { BackupSet } from '../../reader/index.js';
import {
  type BackupSourceOpenOptions,
  backupLayoutResolve,
  backupSelect,
  backupSourceOpen,
} from '../../reader/index.js';

export interface RestoreSelectInput {
  readonly uri: string;
  readonly layout: 'auto' | 'snapshot' | 'medusa' | 'scylla-manager';
  readonly keyspace: string;
  readonly table: string;
}

/** The backup set a restore as of `asOfMs` reads, or a one-line error (see the module comment). */
export async function restoreBackupSelect(
  input: RestoreSelectInput,
  asOfMs: number,
  sourceOptions: BackupSourceOpenOptions = {},
): Promise<BackupSet> {
  const source = backupSourceOpen(input.uri, sourceOptions);
  const at = new Date(asOfMs).toISOString();
  const filter = { keyspace: input.keyspace, table: input.table };
  try {
    const layout = await backupLayoutResolve(source, input.layout);
    const all = (await layout.discover(source, filter)).filter((b) =>
      b.tables.some((t) => t.keyspace === input.keyspace && t.table === input.table),
    );
    if (all.length === 0)
      throw new DatamoveError(
        'NotFound',
        `restore: ${source.name}: no ${layout.name} backup of ${input.keyspace}.${input.table}`,
        { context: { source: source.name } },
      );
    const times = [...new Set(all.map((b) => b.time))].sort((a, b) => a - b);
    if (asOfMs < times[0]!)
      throw new DatamoveError(
        'NotFound',
        `restore: ${at} is before the first backup of ${input.keyspace}.${input.table} in ${source.name} (${new Date(times[0]!).toISOString()})`,
        { context: { source: source.name, asOf: at } },
      );
    try {
      return await backupSelect(source, layout, { asOf: asOfMs, filter });
    } catch (e) {
      if (!isDatamoveError(e) || e.kind !== 'NotFound') throw e;
      // the earliest time a complete set exists (at or after a backup time), for the message
      let earliest: number | undefined;
      for (const t of times) {
        try {
          await backupSelect(source, layout, { asOf: t, filter });
          earliest = t;
          break;
        } catch (x) {
          if (!isDatamoveError(x) || x.kind !== 'NotFound') throw x;
        }
      }
      const why = e.message.replace(/^backup: [^:]*: /, '');
      throw new DatamoveError(
        'NotFound',
        `restore: ${source.name}: ${why}; earliest restorable time: ${earliest === undefined ? 'none (no complete backup set at all)' : new Date(earliest).toISOString()}`,
        {
          context: {
            source: source.name,
            asOf: at,
            ...(earliest === undefined ? {} : { earliest: new Date(earliest).toISOString() }),
          },
          cause: e,
        },
      );
    }
  } finally {
    await source.close();
  }
}
