/**
 * S3 connection and read settings: one zod-validated object (`S3Options` in, `ResolvedS3Options` out,
 * defaults applied and frozen), shared by the backup reader and, later, the Iceberg warehouse.
 * Credentials come from the standard AWS chain (env, shared config/SSO, web identity, container and
 * instance metadata) unless given explicitly; `endpoint` + `forcePathStyle` point the client at
 * LocalStack, MinIO, s3rver or any other S3-compatible store.
 */
import { z } from 'zod';
import { DatamoveError } from '../../core/index.js';
import { DEFAULT_RETRY_POLICY } from '../retry.js';

const MiB = 1 << 20;

/** The accepted input; every field optional. */
export const s3OptionsSchema = z
  .object({
    /** AWS region (default: the chain's — AWS_REGION, profile — else us-east-1). */
    region: z.string().min(1).optional(),
    /** Endpoint URL of an S3-compatible store, e.g. http://localhost:4566 for LocalStack. */
    endpoint: z.url().optional(),
    /** Path-style addressing (`endpoint/bucket/key`), needed by most local stores. Default: true when `endpoint` is set. */
    forcePathStyle: z.boolean().optional(),
    /** Explicit credentials; omit to use the standard AWS chain. */
    credentials: z
      .object({
        accessKeyId: z.string().min(1),
        secretAccessKey: z.string().min(1),
        sessionToken: z.string().min(1).optional(),
      })
      .optional(),
    /** Bytes per ranged GET (default 8 MiB; 64 KiB – 256 MiB). */
    requestBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(256 * MiB)
      .optional(),
    /** Requests in flight per source (default 8). */
    concurrency: z.number().int().min(1).max(256).optional(),
    /** Blocks read ahead of a sequential reader (default 2). */
    readAheadBlocks: z.number().int().min(0).max(64).optional(),
    /** Memory for read-ahead blocks, shared by every open object of a source (default 256 MiB). */
    memoryBudgetBytes: z.number().int().min(0).optional(),
    /** Attempts per request, the first included (default 6). */
    maxAttempts: z.number().int().min(1).max(20).optional(),
    /** First backoff ceiling in ms (default 100); doubles per attempt up to `maxDelayMs`. */
    baseDelayMs: z.number().int().min(0).optional(),
    maxDelayMs: z.number().int().min(0).optional(),
    /** Connection timeout in ms (default 10 000). */
    connectTimeoutMs: z.number().int().min(1).optional(),
    /** Idle socket timeout in ms (default 60 000). */
    socketTimeoutMs: z.number().int().min(1).optional(),
  })
  .strict();

export type S3Options = z.input<typeof s3OptionsSchema>;

export interface ResolvedS3Options {
  readonly region: string;
  readonly endpoint: string | undefined;
  readonly forcePathStyle: boolean;
  readonly credentials:
    | { readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
    | undefined;
  readonly requestBytes: number;
  readonly concurrency: number;
  readonly readAheadBlocks: number;
  readonly memoryBudgetBytes: number;
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly connectTimeoutMs: number;
  readonly socketTimeoutMs: number;
}

/**
 * Validates and resolves S3 options. `path` names the options in messages (`job.source.s3`).
 * Never echoes credential values.
 */
export function s3OptionsResolve(input: unknown = {}, path = 's3'): ResolvedS3Options {
  const r = s3OptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = [path, ...issue.path.map(String)].join('.');
    throw new DatamoveError('InvalidArgument', `${where}: ${issue.message}`, { context: { field: where } });
  }
  const o = r.data;
  return Object.freeze({
    region: o.region ?? 'us-east-1',
    endpoint: o.endpoint,
    forcePathStyle: o.forcePathStyle ?? o.endpoint !== undefined,
    credentials: o.credentials === undefined ? undefined : Object.freeze({ ...o.credentials }),
    requestBytes: o.requestBytes ?? 8 * MiB,
    concurrency: o.concurrency ?? 8,
    readAheadBlocks: o.readAheadBlocks ?? 2,
    memoryBudgetBytes: o.memoryBudgetBytes ?? 256 * MiB,
    maxAttempts: o.maxAttempts ?? DEFAULT_RETRY_POLICY.maxAttempts,
    baseDelayMs: o.baseDelayMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: o.maxDelayMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
    socketTimeoutMs: o.socketTimeoutMs ?? 60_000,
  });
}

/**
 * S3 options from environment variables, for the CLI: `DATAMOVE_S3_ENDPOINT` (or `AWS_ENDPOINT_URL_S3`,
 * `AWS_ENDPOINT_URL`), `DATAMOVE_S3_FORCE_PATH_STYLE` (`true`/`false`), `AWS_REGION` /
 * `AWS_DEFAULT_REGION`. Credentials are left to the AWS chain, which reads the environment itself.
 */
export function s3OptionsFromEnv(env: Readonly<Record<string, string | undefined>>): S3Options {
  const endpoint = env.DATAMOVE_S3_ENDPOINT ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL;
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const pathStyle = env.DATAMOVE_S3_FORCE_PATH_STYLE;
  return {
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(pathStyle === undefined || pathStyle === ''
      ? {}
      : { forcePathStyle: /^(1|true|yes)$/i.test(pathStyle) }),
  };
}
