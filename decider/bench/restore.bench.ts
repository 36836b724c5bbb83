/**
 * `npm run bench:restore`: `restore --to sstables` over a generated backup history (infra/generator/history.ts;
 * default 20,000 partitions × 4 daily backups, generated once into the folder) at one T, one SSTable set and
 * one set per range of the history's own token map, with 1 worker and one task (the sequential layout) and
 * on the pool (auto sizing and `--workers`/`--tasks`). Prints wall time, rows/s, output size and the
 * process's high-water RSS (worker threads included).
 *
 *   node dist/decider/bench/restore.bench.js [--dir /tmp/datamove-bench-restore] [--partitions 20000]
 *       [--workers 2] [--tasks 8] [--as-of 2026-03-04T07:00:00Z]
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateHistory } from '../../infra/index.js';
import { jobParse } from '../job-file.js';
import { restoreToSSTables } from '../restore/restore-run.js';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: join(tmpdir(), 'datamove-bench-restore') },
    partitions: { type: 'string', default: '20000' },
    workers: { type: 'string', default: '2' },
    tasks: { type: 'string', default: '8' },
    'as-of': { type: 'string', default: '2026-03-04T07:00:00Z' },
  },
});
const dir = values.dir;
const backups = join(dir, `backups-${values.partitions}`);
if (!existsSync(backups)) {
  const t = Date.now();
  await generateHistory({
    out: backups,
    start: Date.parse('2026-03-01T00:00:00Z') / 1000,
    partitions: Number(values.partitions),
  });
  console.log(
    `generated ${values.partitions} partitions × 4 backups in ${((Date.now() - t) / 1000).toFixed(1)} s`,
  );
}
const job = jobParse(
  {
    name: 'bench-restore',
    source: { uri: backups, keyspace: 'hist', table: 'events' },
    connector: { name: 'raw' },
    consistency: 'one',
    target: { namespace: 'lake', table: 'events' },
  },
  join(dir, 'job.yaml'),
);
const node = readdirSync(join(backups, 'dc1')).sort()[0]!;
const tokenmap = join(backups, 'dc1', node, 'tokenmap', 'day3.json');

let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 50);
const configs: { name: string; workers?: number; tasks?: number }[] = [
  { name: '1 worker, 1 task', workers: 1, tasks: 1 },
  { name: 'auto sizing' },
  {
    name: `${values.workers} workers, ${values.tasks} tasks`,
    workers: Number(values.workers),
    tasks: Number(values.tasks),
  },
];
for (const topology of [undefined, tokenmap])
  for (const c of configs) {
    const out = join(dir, 'out');
    rmSync(out, { recursive: true, force: true });
    peak = process.memoryUsage().rss;
    let plan = '';
    const s = await restoreToSSTables(job, {
      asOf: values['as-of'],
      out,
      ...(topology === undefined ? {} : { topology }),
      ...(c.workers === undefined ? {} : { workers: c.workers }),
      ...(c.tasks === undefined ? {} : { tasks: c.tasks }),
      log: (l) => {
        if (plan === '') plan = /(\d+ tasks on \d+ workers)/.exec(l)?.[1] ?? '';
      },
    });
    const sec = s.durationMs / 1000;
    console.log(
      `${topology === undefined ? 'one set  ' : 'by range '} ${c.name.padEnd(20)} (${plan}): ${s.partitions} partitions, ${s.rows} rows, ` +
        `${s.sets.reduce((n, x) => n + x.generations.length, 0)} SSTables in ${s.sets.length} sets, ${(s.bytes / 2 ** 20).toFixed(1)} MiB in ${sec.toFixed(2)} s ` +
        `(${Math.round(s.rows / sec)} rows/s), peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`,
    );
  }
clearInterval(sampler);
rmSync(join(dir, 'out'), { recursive: true, force: true });
