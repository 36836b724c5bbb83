/** The plan as `datamove compact --dry-run` prints it: a summary, the sizing, then one line per task. */
import type { CompactionPlan } from './plan-model.js';

function size(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function compactionPlanFormat(plan: CompactionPlan, maxTasks = 50): string {
  const s = plan.sizing;
  const lines = [
    `plan: ${plan.keyspace}.${plan.table} from ${plan.source} (${plan.layout})`,
    `  consistency ${plan.consistency}, ${plan.strategy} replication ${plan.replicationFactor}, ${plan.nodes.length} replica${plan.nodes.length === 1 ? '' : 's'} read${plan.missingNodes.length > 0 ? `, missing: ${plan.missingNodes.join(', ')}` : ''}`,
    `  now ${new Date(plan.now * 1000).toISOString()} (TTL reference)${plan.asOfMicros === undefined ? '' : `, as of ${plan.asOfMicros} µs (${new Date(Math.floor(plan.asOfMicros / 1000)).toISOString()})`}`,
    `  data: ${size(plan.totalBytes)} to read of ${size(plan.backupBytes)} (uncompressed Data.db), ~${s.estimatedPartitions} partitions across replicas, largest ~${size(s.largestPartitionBytes)}`,
    `  sizing: ${plan.tasks.length} tasks (${s.tasksChosenBy}, target ${size(s.targetTaskBytes)}), ${plan.workers} workers (${s.workersChosenBy}; ${s.cores} cores, memory budget ${size(s.memoryBudgetBytes)}, ~${size(s.estimatedWorkerBytes)} per worker)`,
  ];
  for (const w of plan.warnings) lines.push(`  warning: ${w}`);
  for (const t of plan.tasks.slice(0, maxTasks)) {
    const nodes = [...new Set(t.reads.map((r) => r.node))];
    lines.push(
      `  task ${t.id}: (${t.range.start}, ${t.range.end}]  ${size(t.bytes)}  ${t.reads.length} sstable range${t.reads.length === 1 ? '' : 's'} from ${nodes.join(', ')}`,
    );
  }
  if (plan.tasks.length > maxTasks) lines.push(`  … ${plan.tasks.length - maxTasks} more tasks`);
  return `${lines.join('\n')}\n`;
}
