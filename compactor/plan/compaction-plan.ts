/**
 * The planning entry point: gathers the backup's metadata (plan-read.ts) and builds the plan
 * (plan-build.ts). `replicationFactor` comes from the options, else from the schema's CREATE KEYSPACE.
 */

import type { BackupSource } from '../../reader/index.js';
import { backupLayoutResolve } from '../../reader/index.js';
import type { ResolvedCompactOptions } from './compact-options.js';
import { compactionPlanBuild } from './plan-build.js';
import type { PlanInput } from './plan-input.js';
import type { CompactionPlan } from './plan-model.js';
import { planInputFromBackup, planInputFromFolder } from './plan-read.js';
import { replicationFactorFromSchema } from './token-ring.js';

export async function compactionPlanInput(
  source: BackupSource,
  o: ResolvedCompactOptions,
): Promise<PlanInput> {
  const read = {
    keyspace: o.keyspace,
    table: o.table,
    ...(o.backupAsOf === undefined ? {} : { backupAsOf: o.backupAsOf }),
  };
  if (o.layout === 'folder') return planInputFromFolder(source, read);
  const layout = await backupLayoutResolve(source, o.layout);
  return planInputFromBackup(source, layout, read);
}

export async function compactionPlan(
  source: BackupSource,
  o: ResolvedCompactOptions,
): Promise<CompactionPlan> {
  const input = await compactionPlanInput(source, o);
  const rf = o.replicationFactor ?? replicationFactorFromSchema(input.schemaText, o.keyspace);
  return compactionPlanBuild(input, { ...o, replicationFactor: rf });
}
