/**
 * Options of a commit, validated with zod (`CommitOptions` → frozen `ResolvedCommitOptions`).
 */
import { z } from 'zod';
import { optionsInvalid } from '../errors.js';

export const commitOptionsSchema = z
  .object({
    /** `append` adds this run's files; `overwrite` replaces the table's contents with them. */
    mode: z.enum(['append', 'overwrite']),
    /** Idempotency key: a run id already in the table's snapshots makes the commit a no-op. */
    runId: z.string().min(1),
    jobName: z.string().optional(),
    sourceBackupIds: z.array(z.string()).optional(),
    /** ISO-8601 as-of time of the data. */
    asOf: z.string().optional(),
    /** ISO-8601 reference `now` used for TTLs. */
    referenceNow: z.string().optional(),
    connector: z.string().optional(),
    /** Row counts to record (e.g. `{ read: 10, written: 9 }`), as `datamove.rows.<name>`. */
    rowCounts: z.record(z.string(), z.number().int().min(0)).optional(),
    /** Attempts before giving up on conflicts (default 10). */
    maxAttempts: z.number().int().min(1).max(1000).optional(),
    /** First backoff in ms (default 50), doubled per attempt up to `maxBackoffMs` (default 2000), jittered. */
    baseBackoffMs: z.number().min(0).optional(),
    maxBackoffMs: z.number().min(0).optional(),
  })
  .strict();

export type CommitOptions = z.input<typeof commitOptionsSchema>;
export type ResolvedCommitOptions = Readonly<
  Required<Pick<z.output<typeof commitOptionsSchema>, 'mode' | 'runId'>> &
    Omit<z.output<typeof commitOptionsSchema>, 'maxAttempts' | 'baseBackoffMs' | 'maxBackoffMs'> & {
      maxAttempts: number;
      baseBackoffMs: number;
      maxBackoffMs: number;
    }
>;

export function commitOptionsResolve(input: unknown, path = 'commit'): ResolvedCommitOptions {
  const r = commitOptionsSchema.safeParse(input);
  if (!r.success) throw optionsInvalid(path, r.error);
  return Object.freeze({
    ...r.data,
    maxAttempts: r.data.maxAttempts ?? 10,
    baseBackoffMs: r.data.baseBackoffMs ?? 50,
    maxBackoffMs: r.data.maxBackoffMs ?? 2000,
  });
}
