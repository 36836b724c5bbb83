/**
 * `datamove demo`: the whole product in one command, on this machine. Starts the embedded S3, generates a
 * small multi-node Cassandra backup (the narrow preset and a Key-Value table) into it, writes job files and
 * a controller file, runs every job through the decider — the narrow table in shadow mode (the decided path
 * writes the job's table, the other path a shadow table, and the two are diffed: C = M), the kv table once —
 * prints the summaries, the diff and a DuckDB query over the resulting Iceberg table, writes the dashboard,
 * and says how to look around. Everything stays under `./.datamove/`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Command } from 'commander';
import {
  controllerLoad,
  dashboardWrite,
  type JobRunSummary,
  jobFileLoad,
  jobRun,
  runHistoryPath,
} from '../../decider/index.js';
import { catalogOpen, tableFilesAt } from '../../iceberg-writer/index.js';
import { embeddedS3Start, type GenerateOptions, generate } from '../../infra/index.js';
import { s3OptionsResolve } from '../../storage/index.js';
import { diffReportFormat, shadowRun } from '../../validation/index.js';
import type { CliIO } from '../main.js';
import { progressLog, summaryFormat } from './run.js';

const NOW = '2026-01-01T00:00:00Z';
/** The generated cluster's replication factor, written into the job files so no run has to assume one. */
const REPLICATION_FACTOR = 3;

function gen(
  out: string,
  preset: 'narrow' | 'kv',
  keyspace: string,
  partitions: number,
): Omit<GenerateOptions, 's3'> {
  return {
    out,
    preset,
    nodes: 4,
    dcs: 1,
    replicationFactor: REPLICATION_FACTOR,
    numTokens: 8,
    seed: 1,
    bytes: 0,
    wideBytes: 1 << 20,
    partitions,
    flushes: 3,
    version: 'nb',
    compression: 'lz4',
    now: Math.floor(Date.parse(NOW) / 1000),
    keyspace,
    tag: 'demo',
    nodeExpectations: false,
    missRate: 0.05,
  };
}

function yamlJob(o: {
  name: string;
  uri: string;
  endpoint: string;
  keyspace: string;
  table: string;
  connector: string;
  options?: string;
  target: string;
  cohort?: string;
}): string {
  return `# datamove job file (see README "Job files")
name: ${o.name}
${o.cohort === undefined ? '' : `cohort: ${o.cohort}\n`}source:
  uri: ${o.uri}
  cluster: demo-cluster
  s3: { endpoint: "${o.endpoint}", region: us-east-1, pathStyle: true }
  keyspace: ${o.keyspace}
  table: ${o.table}
  replicationFactor: ${REPLICATION_FACTOR}
connector:
  name: ${o.connector}${o.options === undefined ? '' : `\n  options: ${o.options}`}
consistency: all
now: "${NOW}"
target:
  namespace: demo
  table: ${o.target}
  mode: overwrite
  properties: { owner: demo }
schedule: { cron: "0 3 * * *", timeZone: UTC }
retries: 2
timeouts: { newPath: 10m }
`;
}

const CONTROLLER = `# datamove controller file: ordered rules, the first that applies decides (see README "Controller file")
default: new
rules:
  - name: compare-engines
    match: { job: "*-legacy" }
    connector: legacy
  - name: kv-canary
    match: { cluster: "demo-*", keyspace: kv }
    connector: new
    percent: 100
`;

export function registerDemo(program: Command, io: CliIO): void {
  program
    .command('demo')
    .description(
      'Start the embedded S3, generate a small multi-node backup, run jobs through the decider into Iceberg tables under ./.datamove, and query the result with DuckDB',
    )
    .option('--port <n>', 'embedded S3 port on 127.0.0.1 (0: any free port)', '4569')
    .option('--partitions <n>', 'partitions of the narrow table', '400')
    .action(async (flags: { port: string; partitions: string }) => {
      const started = Date.now();
      const root = resolve('.datamove');
      const demo = join(root, 'demo');
      rmSync(demo, { recursive: true, force: true });
      mkdirSync(join(demo, 'jobs'), { recursive: true });
      const say = (l: string) => io.stdout.write(`${l}\n`);
      const s3 = await embeddedS3Start({
        dir: join(root, 's3'),
        port: Number(flags.port),
        buckets: ['backups'],
      });
      try {
        say(
          `embedded S3: ${s3.endpoint} (bucket backups, access key and secret S3RVER, data in ${join(root, 's3')})`,
        );
        const s3Resolved = s3OptionsResolve(s3.options);
        const t0 = Date.now();
        const narrow = await generate({
          ...gen('s3://backups/demo-cluster/main', 'narrow', 'shop', Number(flags.partitions)),
          s3: s3Resolved,
        });
        const kv = await generate({ ...gen('s3://backups/demo-cluster/kv', 'kv', 'kv', 30), s3: s3Resolved });
        for (const t of [...narrow.tables, ...kv.tables])
          say(`generated ${t.keyspace}.${t.table}: ${t.partitions} partitions, ${t.oracleRows} live rows`);
        say(
          `backup: ${narrow.cluster.nodes.length} nodes, ${((narrow.dataBytes + kv.dataBytes) / 2 ** 20).toFixed(1)} MiB of Data.db in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
        writeFileSync(join(demo, 'controller.yaml'), CONTROLLER);
        const jobs = [
          {
            file: 'narrow.yaml',
            name: 'shop-narrow',
            uri: 's3://backups/demo-cluster/main',
            keyspace: 'shop',
            table: 'narrow',
            connector: 'raw',
            target: 'narrow',
          },
          {
            file: 'kv.yaml',
            name: 'kv-items',
            uri: 's3://backups/demo-cluster/kv',
            keyspace: 'kv',
            table: 'kv',
            connector: 'kv',
            options: '{ valueAs: string }',
            target: 'kv_items',
          },
        ];
        for (const j of jobs)
          writeFileSync(join(demo, 'jobs', j.file), yamlJob({ ...j, endpoint: s3.endpoint }));
        const controller = controllerLoad(join(demo, 'controller.yaml'), { required: true });
        const opened = await catalogOpen({});
        const summaries: JobRunSummary[] = [];
        let shadowEqual = false;
        try {
          for (const [i, j] of jobs.entries()) {
            const job = jobFileLoad(join(demo, 'jobs', j.file));
            const shadow = i === 0;
            say(
              `\n== job ${job.name} (${join('.datamove/demo/jobs', j.file)})${shadow ? ', shadow-validated: both paths, then C − M and M − C' : ''}`,
            );
            const tty = (io.stderr as { isTTY?: boolean }).isTTY === true;
            const progress = progressLog(io, tty);
            const log = (l: string) =>
              l.startsWith('decision:') || l.startsWith('plan:') || l.startsWith('shadow:')
                ? say(l)
                : progress.log(l);
            const common = { controller, catalog: opened, sourceOptions: { s3: s3.options }, log };
            try {
              if (shadow) {
                const r = await shadowRun(job, common);
                progress.stop();
                summaries.push(r.production, r.shadow);
                say(summaryFormat(r.production));
                say(summaryFormat(r.shadow));
                say(`shadow validation: C = legacy path, M = new path`);
                say(diffReportFormat(r.report).trimEnd());
                shadowEqual = r.report.equal;
              } else {
                const s = await jobRun(job, common);
                progress.stop();
                summaries.push(s);
                say(summaryFormat(s));
              }
            } finally {
              progress.stop();
            }
          }
          const { files } = await tableFilesAt(opened.catalog, { namespace: ['demo'], name: 'narrow' });
          const paths = files.map((f) => f.filePath.replace(/^file:\/\//, ''));
          const list = `[${paths.map((p) => `'${p.replace(/'/g, "''")}'`).join(', ')}]`;
          const sql = `SELECT count(*) AS rows, count(DISTINCT id) AS partitions, sum(amount) AS total_amount, round(avg(score), 2) AS avg_score FROM read_parquet(${list})`;
          const db = await DuckDBInstance.create(':memory:');
          const c = await db.connect();
          try {
            say("\n== DuckDB over the Iceberg table demo.narrow (its current snapshot's data files)");
            say(
              `SELECT count(*), count(DISTINCT id), sum(amount), round(avg(score), 2) FROM read_parquet(<${paths.length} data files>)`,
            );
            say(JSON.stringify((await c.runAndReadAll(sql)).getRowObjectsJson()[0]));
            const sample = await c.runAndReadAll(
              `SELECT id, ck, name, amount, score, tags FROM read_parquet(${list}) ORDER BY id, ck LIMIT 5`,
            );
            for (const r of sample.getRowObjectsJson()) say(JSON.stringify(r));
          } finally {
            c.closeSync();
            db.closeSync();
          }
        } finally {
          await opened.close();
        }
        const history = runHistoryPath(join(root, 'catalog.db'));
        const report = join(root, 'report.html');
        dashboardWrite({ historyPath: history, out: report });
        const secondsOf = (p: string): string => {
          const run = summaries.find((x) => x.connectorUsed === p && x.table.startsWith('demo.narrow'));
          return run === undefined ? '-' : `${(run.durationMs / 1000).toFixed(2)} s`;
        };
        say(
          `\ndemo: ${jobs.length} jobs, ${summaries.length} runs in ${((Date.now() - started) / 1000).toFixed(1)} s; shop.narrow new path ${secondsOf('new')}, legacy path ${secondsOf('legacy')}; shadow validation ${shadowEqual ? 'C = M' : 'C ≠ M'}`,
        );
        say(`dashboard: ${report} (open it in a browser)`);
        say(`
Look around (everything is under ./.datamove/):
  npx datamove table snapshots demo.narrow          # snapshots of the Iceberg table (catalog ./.datamove/catalog.db)
  npx datamove table files demo.narrow              # its Parquet data files in ./.datamove/warehouse/demo/narrow/data
  npx datamove decide .datamove/demo/jobs/kv.yaml --controller .datamove/demo/controller.yaml
  npx datamove jobs list                            # jobs, their last runs; jobs history shop-narrow, jobs show <run-id>
  npx datamove diff demo.narrow demo.narrow__shadow_legacy --key id,ck   # the shadow diff again
  npx datamove investigations list                  # differences found by shadow runs (none here)
  sqlite3 .datamove/runs.db 'SELECT job, connector_used, fallback, rows, duration_ms FROM datamove_runs'
  duckdb -c "SELECT * FROM read_parquet('.datamove/warehouse/demo/narrow/data/*.parquet') LIMIT 5"
Re-run a job: npx datamove s3 serve --dir .datamove/s3 --port ${s3.port} & then, with AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER,
  npx datamove run .datamove/demo/jobs/narrow.yaml --controller .datamove/demo/controller.yaml`);
      } finally {
        await s3.close();
      }
    });
}
