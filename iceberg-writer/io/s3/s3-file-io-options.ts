/**
 * Options of the S3 `FileIO`: the project's S3 settings (storage/s3/s3-options.ts — endpoint,
 * region, path style, credentials, retries, timeouts, concurrency; the same object the backup source
 * takes) plus the one setting only writes need, the multipart part size. Validated with zod once:
 * `S3FileIOOptions` in, frozen `ResolvedS3FileIOOptions` out.
 */
import { z } from 'zod';
import { DatamoveError } from '../../../core/index.js';
import { type ResolvedS3Options, s3OptionsResolve, s3OptionsSchema } from '../../../storage/index.js';

const MiB = 1 << 20;

export const s3FileIOOptionsSchema = s3OptionsSchema
  .extend({
    /**
     * Objects larger than this are uploaded in parts of this size, several at once (`concurrency`), each
     * part retried on its own (default 16 MiB; S3 needs at least 5 MiB per part, at most 10,000 parts).
     */
    partBytes: z
      .number()
      .int()
      .min(5 * MiB)
      .max(5 * 1024 * MiB)
      .optional(),
  })
  .strict();

export type S3FileIOOptions = z.input<typeof s3FileIOOptionsSchema>;

export interface ResolvedS3FileIOOptions {
  readonly s3: ResolvedS3Options;
  readonly partBytes: number;
}

export const DEFAULT_PART_BYTES = 16 * MiB;

/** Validates and resolves; `path` names the options in messages (`catalog.s3`). */
export function s3FileIOOptionsResolve(input: unknown = {}, path = 's3'): ResolvedS3FileIOOptions {
  const r = s3FileIOOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = [path, ...issue.path.map(String)].join('.');
    throw new DatamoveError('InvalidArgument', `${where}: ${issue.message}`, { context: { field: where } });
  }
  const { partBytes, ...s3 } = r.data;
  return Object.freeze({
    s3: s3OptionsResolve(s3, path),
    partBytes: partBytes ?? DEFAULT_PART_BYTES,
  });
}
