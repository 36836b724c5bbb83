/**
 * The members of the layout family, and auto-detection (`--layout auto`): the first member whose
 * `detect` finds its metadata, in an order where the cheaper, more specific probes come first.
 */
import { DatamoveError } from '../../core/index.js';
import type { BackupSource } from '../source/backup-source.js';
import type { BackupLayout } from './layout.js';
import { medusaLayout } from './medusa/medusa-layout.js';
import { scyllaManagerLayout } from './scylla-manager/scylla-manager-layout.js';
import { snapshotLayout } from './snapshot/snapshot-layout.js';

/** Every layout, in detection order. */
export const BACKUP_LAYOUTS: readonly BackupLayout[] = [scyllaManagerLayout, medusaLayout, snapshotLayout];

export type BackupLayoutName = 'auto' | 'snapshot' | 'medusa' | 'scylla-manager';

/** The layout named `name`, or for `auto` the one the source holds. */
export async function backupLayoutResolve(
  source: BackupSource,
  name: string = 'auto',
): Promise<BackupLayout> {
  if (name !== 'auto') {
    const l = BACKUP_LAYOUTS.find((x) => x.name === name);
    if (l === undefined) {
      throw new DatamoveError(
        'InvalidArgument',
        `--layout: '${name}' is not a layout (auto, ${BACKUP_LAYOUTS.map((x) => x.name).join(', ')})`,
        { context: { field: 'layout' } },
      );
    }
    return l;
  }
  for (const l of BACKUP_LAYOUTS) if (await l.detect(source)) return l;
  throw new DatamoveError(
    'NotFound',
    `backup: ${source.name}: no backup found (looked for ${BACKUP_LAYOUTS.map((x) => x.name).join(', ')} layouts)`,
    { context: { source: source.name } },
  );
}
