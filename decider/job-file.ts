/**
 * Job files: what to move, with which connector, where to, when, and whom to tell. YAML or JSON, validated
 * once with zod (strict: an unknown field is an error); every error names the file and the field
 * (`jobs/users.yaml: target.mode: must be one of append, overwrite`). `jobFromFlags` builds the same object
 * from `datamove run` flags for one-off runs.
 */
import { readFileSync } from 'node:fs';
import { parse as yamlParse } from 'yaml';
import { z } from 'zod';
import { DatamoveError } from '../core/index.js';

const time = z.union([z.string().min(1), z.number()]);
const duration = z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'must be a duration like 90s, 30m, 2h');

export const jobFileSchema = z
  .object({
    /** Job name: run history, canary hashing, alerts. */
    name: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-"'),
    /** A cohort label the controller's rules may match. */
    cohort: z.string().min(1).optional(),
    source: z
      .object({
        /** Backups: s3://bucket/prefix, file:///path or a path. */
        uri: z.string().min(1),
        layout: z.enum(['auto', 'snapshot', 'medusa', 'scylla-manager']).default('auto'),
        /** Cluster label for the controller's rules (default: the layout's cluster id, else the URI). */
        cluster: z.string().min(1).optional(),
        s3: z
          .object({
            endpoint: z.string().url().optional(),
            region: z.string().min(1).optional(),
            pathStyle: z.boolean().optional(),
          })
          .strict()
          .optional(),
        keyspace: z.string().min(1),
        table: z.string().min(1).optional(),
        tables: z.array(z.string().min(1)).min(1).optional(),
        /** Which backups: the latest complete set at or before this time (ISO-8601; default now). */
        backupAsOf: z.string().min(1).optional(),
        replicationFactor: z.number().int().min(1).max(32).optional(),
      })
      .strict()
      .refine((s) => !(s.table !== undefined && s.tables !== undefined), {
        message: 'give table or tables, not both',
        path: ['table'],
      }),
    connector: z.union([
      z.object({ name: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }).strict(),
      z.object({ module: z.string().min(1), options: z.record(z.string(), z.unknown()).optional() }).strict(),
    ]),
    consistency: z.enum(['one', 'quorum', 'all']).default('quorum'),
    /** Drop everything written after this time (ISO-8601 or epoch µs). */
    asOf: time.optional(),
    /** Reference time for TTLs (ISO-8601 or epoch s; default: the run's start). */
    now: time.optional(),
    target: z
      .object({
        /** `sqlite:<path>`, a SQLite path, `postgresql://…` or `http(s)://…` (default ./.datamove/catalog.db). */
        catalog: z.string().min(1).optional(),
        warehouse: z.string().min(1).optional(),
        namespace: z.string().min(1),
        table: z.string().min(1),
        mode: z.enum(['append', 'overwrite']).default('overwrite'),
        properties: z.record(z.string(), z.string()).optional(),
      })
      .strict(),
    schedule: z
      .object({
        cron: z
          .string()
          .regex(
            /^\s*(\S+\s+){4,5}\S+\s*$/,
            'must be a five-field cron expression (minute hour day month weekday), or six with seconds first',
          ),
        timeZone: z.string().min(1).default('UTC'),
      })
      .strict()
      .optional(),
    /** Extra attempts per failed compaction task (default 2). */
    retries: z.number().int().min(0).max(100).default(2),
    timeouts: z
      .object({
        /** The new path's time limit; past it the job falls back to the legacy path. */
        newPath: duration.optional(),
        /** The whole job's limit. */
        job: duration.optional(),
      })
      .strict()
      .optional(),
    alerts: z
      .object({
        webhook: z.string().url().optional(),
        timeout: duration.default('5s'),
      })
      .strict()
      .optional(),
    workers: z.number().int().min(1).max(256).optional(),
  })
  .strict();

export type JobFile = z.input<typeof jobFileSchema>;
export type Job = Readonly<z.output<typeof jobFileSchema>> & { readonly file: string };

function fail(file: string, field: string, message: string): DatamoveError {
  return new DatamoveError('InvalidArgument', `${file}: ${field}: ${message}`, {
    context: { file, field },
  });
}

/** Validates a parsed job document; `file` names it in errors. */
export function jobParse(doc: unknown, file: string): Job {
  const r = jobFileSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    let field = issue.path.join('.') || '(document)';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      field = [...issue.path, keys[0]].join('.');
      message = 'unknown field';
    }
    throw fail(file, field, message);
  }
  const job = r.data;
  if ('name' in job.connector && job.connector.name === 'raw') {
    const tables = job.source.tables ?? (job.source.table === undefined ? [] : [job.source.table]);
    const opt = job.connector.options?.table;
    if (opt === undefined && tables.length !== 1)
      throw fail(file, 'source.table', 'the raw connector moves one table: give source.table');
  }
  return Object.freeze({ ...job, file });
}

/** Reads and validates a job file (`.yaml`, `.yml` or `.json`). */
export function jobFileLoad(path: string): Job {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DatamoveError('NotFound', `${path}: cannot read the job file (${(e as Error).message})`, {
      context: { file: path },
      cause: e,
    });
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : yamlParse(text);
  } catch (e) {
    throw fail(
      path,
      '(document)',
      `not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(e as Error).message.split('\n')[0]}`,
    );
  }
  return jobParse(doc, path);
}

/** The connector options a job runs with: the source table filled in for `raw`, `kv` and `timeseries`'s `table`. */
export function jobConnectorOptions(job: Job): Record<string, unknown> {
  const options = { ...(job.connector.options ?? {}) };
  const table = job.source.table ?? job.source.tables?.[0];
  if ('name' in job.connector && (job.connector.name === 'raw' || job.connector.name === 'kv'))
    if (options.table === undefined && table !== undefined) options.table = table;
  return options;
}

/** The tables a job reads, for the controller's rules. */
export function jobTables(job: Job): string[] {
  const options = job.connector.options ?? {};
  const t = job.source.tables ?? (job.source.table === undefined ? [] : [job.source.table]);
  if (t.length === 0 && typeof options.table === 'string') return [options.table];
  return t;
}

/** `90s`, `30m`, `2h`, `1d`, `500ms` → ms. */
export function durationMs(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(text.trim())!;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}
