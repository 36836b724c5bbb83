/**
 * Options of the data file writer, validated with zod (`DataWriterOptions` → frozen `ResolvedDataWriterOptions`).
 */
import { z } from 'zod';
import { optionsInvalid } from '../errors.js';

export const dataWriterOptionsSchema = z
  .object({
    /** Roll to a new file past this many bytes (default 256 MiB, Iceberg's `write.target-file-size-bytes` is 512 MiB). */
    targetFileSizeBytes: z.number().int().min(1024).optional(),
    /** Rows per Parquet row group (default 1,048,576). */
    rowGroupRows: z.number().int().min(1).optional(),
  })
  .strict();

export type DataWriterOptions = z.input<typeof dataWriterOptionsSchema>;

export interface ResolvedDataWriterOptions {
  readonly targetFileSizeBytes: number;
  readonly rowGroupRows: number;
}

export const DEFAULT_TARGET_FILE_SIZE = 256 * 1024 * 1024;

export function dataWriterOptionsResolve(input: unknown = {}, path = 'writer'): ResolvedDataWriterOptions {
  const r = dataWriterOptionsSchema.safeParse(input);
  if (!r.success) throw optionsInvalid(path, r.error);
  return Object.freeze({
    targetFileSizeBytes: r.data.targetFileSizeBytes ?? DEFAULT_TARGET_FILE_SIZE,
    rowGroupRows: r.data.rowGroupRows ?? 1_048_576,
  });
}
