/**
 * Options of a compaction job, validated once at the boundary (zod) and resolved with defaults:
 * `CompactOptions` (user input) → frozen `ResolvedCompactOptions`. Errors name the option path
 * (`compact.consistency must be …`), like piscina's option validation.
 */
import { z } from 'zod';
import { DatamoveError } from '../../core/index.js';
import type { ResolvedPlanOptions } from './plan-input.js';

const time = z.union([z.string().min(1), z.number()]);

export const compactOptionsSchema = z
  .object({
    keyspace: z.string().min(1),
    table: z.string().min(1),
    /** `auto`, a backup layout, or `folder` for one folder of SSTables. */
    layout: z.enum(['auto', 'snapshot', 'medusa', 'scylla-manager', 'folder']).optional(),
    /** Reference time for TTL expiry: ISO-8601 or seconds since the epoch (default: now). */
    now: time.optional(),
    /** Drop everything written after T: ISO-8601 or microseconds since the epoch. */
    asOf: time.optional(),
    /** Which backups to read: the latest complete set at or before this time (ISO-8601; default now). */
    backupAsOf: z.string().min(1).optional(),
    consistency: z.enum(['one', 'quorum', 'all']).optional(),
    /** Replication factor per DC (default: the schema's CREATE KEYSPACE, else min(3, nodes)). */
    replicationFactor: z.number().int().min(1).max(32).optional(),
    tasks: z.number().int().min(1).max(100_000).optional(),
    workers: z.number().int().min(1).max(256).optional(),
    memoryBudgetBytes: z
      .number()
      .int()
      .min(64 * 1024 * 1024)
      .optional(),
    retries: z.number().int().min(0).max(100).optional(),
  })
  .strict();

export type CompactOptions = z.input<typeof compactOptionsSchema>;

export interface ResolvedCompactOptions extends ResolvedPlanOptions {
  readonly keyspace: string;
  readonly table: string;
  readonly layout: 'auto' | 'snapshot' | 'medusa' | 'scylla-manager' | 'folder';
  readonly backupAsOf: number | undefined;
  readonly retries: number;
}

function bad(field: string, what: string): DatamoveError {
  return new DatamoveError('InvalidArgument', `compact.${field} ${what}`, {
    context: { field: `compact.${field}` },
  });
}

/** `--now`: ISO-8601 or epoch seconds → seconds. */
function seconds(v: string | number, field: string): number {
  if (typeof v === 'number' || /^-?\d+$/.test(v)) return Math.floor(Number(v));
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw bad(field, `must be an ISO-8601 time or epoch seconds, got '${v}'`);
  return Math.floor(ms / 1000);
}

/** `--as-of`: ISO-8601 or epoch microseconds → microseconds. */
function micros(v: string | number, field: string): number {
  if (typeof v === 'number' || /^-?\d+$/.test(v)) return Number(v);
  const ms = Date.parse(v);
  if (!Number.isFinite(ms)) throw bad(field, `must be an ISO-8601 time or epoch microseconds, got '${v}'`);
  return ms * 1000;
}

export function compactOptionsResolve(
  input: unknown,
  machine: { readonly cores: number; readonly memoryBytes: number },
  clock: () => number = Date.now,
): ResolvedCompactOptions {
  const r = compactOptionsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw bad(issue.path.join('.'), issue.message);
  }
  const o = r.data;
  let backupAsOf: number | undefined;
  if (o.backupAsOf !== undefined) {
    backupAsOf = Date.parse(o.backupAsOf);
    if (!Number.isFinite(backupAsOf))
      throw bad('backupAsOf', `must be an ISO-8601 time, got '${o.backupAsOf}'`);
  }
  return Object.freeze({
    keyspace: o.keyspace,
    table: o.table,
    layout: o.layout ?? 'auto',
    consistency: o.consistency ?? 'quorum',
    replicationFactor: o.replicationFactor,
    tasks: o.tasks,
    workers: o.workers,
    now: o.now === undefined ? Math.floor(clock() / 1000) : seconds(o.now, 'now'),
    asOfMicros: o.asOf === undefined ? undefined : micros(o.asOf, 'asOf'),
    memoryBudgetBytes: o.memoryBudgetBytes,
    machine: { cores: Math.max(1, machine.cores), memoryBytes: machine.memoryBytes },
    backupAsOf,
    retries: o.retries ?? 2,
  });
}
