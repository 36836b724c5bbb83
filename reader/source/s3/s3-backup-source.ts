/**
 * `BackupSource` over S3 (AWS SDK v3): ListObjectsV2 by prefix, HeadObject, whole GETs for small files
 * and ranged GETs for SSTable data (see storage/ranged-source.ts). Every request is retried on throttling,
 * 5xx, resets and truncated bodies with jittered exponential backoff (storage/retry.ts); the SDK's own
 * retries are off so there is one policy. Keys are relative to the source's `s3://bucket/prefix` and
 * checked (storage/object-key.ts), so nothing outside the prefix is ever requested.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { DatamoveError } from '../../../core/index.js';
import type { ByteSource } from '../../../storage/index.js';
import {
  concurrencyLimit,
  memoryBudget,
  objectKeyCheck,
  type RetryHooks,
  type RetryPolicy,
  rangedByteSource,
  type S3Options,
  type S3Sender,
  s3ClientCreate,
  s3Error,
  s3OptionsResolve,
  s3UriParse,
  withRetry,
} from '../../../storage/index.js';
import type { BackupSource, ObjectInfo } from '../backup-source.js';

export interface S3SourceHooks extends RetryHooks {
  /** A client to use instead of one built from the options. */
  readonly client?: S3Sender;
}

/**
 * Opens `s3://bucket/prefix` as a backup source. No request is made until the first call.
 */
export function s3BackupSource(
  uri: string,
  options: S3Options = {},
  hooks: S3SourceHooks = {},
): BackupSource {
  const { bucket, prefix } = s3UriParse(uri);
  const o = s3OptionsResolve(options);
  const client = hooks.client ?? s3ClientCreate(o);
  const policy: RetryPolicy = {
    maxAttempts: o.maxAttempts,
    baseDelayMs: o.baseDelayMs,
    maxDelayMs: o.maxDelayMs,
  };
  const limit = concurrencyLimit(o.concurrency);
  const budget = memoryBudget(o.memoryBudgetBytes);
  const name = prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`;
  const full = (key: string): string => (prefix === '' ? key : `${prefix}/${key}`);
  const rel = (key: string): string => (prefix === '' ? key : key.slice(prefix.length + 1));
  const retry = <T>(op: string, key: string, f: () => Promise<T>): Promise<T> =>
    withRetry(f, (e) => s3Error(e, op, bucket, key), policy, hooks);

  const body = async (
    op: string,
    key: string,
    out: { Body?: unknown; ContentLength?: number },
    expected?: number,
  ) => {
    const b = out.Body as { transformToByteArray(): Promise<Uint8Array> } | undefined;
    let bytes: Uint8Array;
    try {
      bytes = b === undefined ? new Uint8Array(0) : await b.transformToByteArray();
    } catch (e) {
      throw s3Error(e, op, bucket, key);
    }
    const want = expected ?? out.ContentLength;
    if (want !== undefined && bytes.length !== want) {
      throw new DatamoveError(
        'DataInvalid',
        `s3: ${op} s3://${bucket}/${key}: truncated body: ${bytes.length} of ${want} bytes`,
        { context: { bucket, key, received: bytes.length, expected: want }, retryable: true },
      );
    }
    return bytes;
  };

  const getRange = async (key: string, start: number, end: number): Promise<Uint8Array> => {
    if (end <= start) return new Uint8Array(0);
    const k = full(key);
    return retry('GET', k, async () => {
      let out: { Body?: unknown; ContentLength?: number; ContentRange?: string };
      try {
        out = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: k, Range: `bytes=${start}-${end - 1}` }),
        );
      } catch (e) {
        if ((e as { name?: string }).name === 'InvalidRange') return new Uint8Array(0);
        throw e;
      }
      const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
      const expected =
        total === undefined ? out.ContentLength : Math.max(0, Math.min(end, Number(total)) - start);
      return body('GET', k, out, expected);
    });
  };

  return {
    name,
    async list(listPrefix) {
      if (listPrefix !== '') objectKeyCheck(listPrefix.replace(/\/$/, ''), `source: ${name}`);
      const p = prefix === '' ? listPrefix : `${prefix}/${listPrefix}`;
      const out: ObjectInfo[] = [];
      let token: string | undefined;
      do {
        const page: ListObjectsV2CommandOutput = await retry('LIST', p, () =>
          limit.run(() =>
            client.send(
              new ListObjectsV2Command({
                Bucket: bucket,
                Prefix: p,
                ...(token ? { ContinuationToken: token } : {}),
              }),
            ),
          ),
        );
        for (const c of page.Contents ?? []) {
          if (c.Key === undefined || (prefix !== '' && !c.Key.startsWith(`${prefix}/`))) continue;
          out.push({
            key: rel(c.Key),
            size: c.Size ?? 0,
            ...(c.ETag ? { etag: c.ETag.replace(/"/g, '') } : {}),
            ...(c.LastModified ? { lastModified: c.LastModified.getTime() } : {}),
          });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async head(key) {
      const k = full(objectKeyCheck(key, `source: ${name}`));
      try {
        const h = await retry('HEAD', k, () =>
          limit.run(() => client.send(new HeadObjectCommand({ Bucket: bucket, Key: k }))),
        );
        return {
          key,
          size: h.ContentLength ?? 0,
          ...(h.ETag ? { etag: String(h.ETag).replace(/"/g, '') } : {}),
          ...(h.LastModified ? { lastModified: (h.LastModified as Date).getTime() } : {}),
        };
      } catch (e) {
        if (e instanceof DatamoveError && e.kind === 'NotFound' && e.context.code !== 'NoSuchBucket')
          return undefined;
        throw e;
      }
    },
    async get(key) {
      const k = full(objectKeyCheck(key, `source: ${name}`));
      try {
        return await retry('GET', k, () =>
          limit.run(async () =>
            body('GET', k, await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }))),
          ),
        );
      } catch (e) {
        if (e instanceof DatamoveError && e.kind === 'NotFound' && e.context.code !== 'NoSuchBucket')
          return undefined;
        throw e;
      }
    },
    getRange: (key, start, end) =>
      limit.run(() => getRange(objectKeyCheck(key, `source: ${name}`), start, end)),
    async open(key, size): Promise<ByteSource> {
      objectKeyCheck(key, `source: ${name}`);
      let n = size;
      if (n === undefined) {
        const h = await this.head(key);
        if (h === undefined) {
          throw new DatamoveError('NotFound', `s3: s3://${bucket}/${full(key)}: no such object`, {
            context: { bucket, key: full(key) },
          });
        }
        n = h.size;
      }
      return rangedByteSource(`s3://${bucket}/${full(key)}`, n, (s, e) => getRange(key, s, e), {
        blockBytes: o.requestBytes,
        readAheadBlocks: o.readAheadBlocks,
        limit,
        budget,
      });
    },
    async close() {
      if (hooks.client === undefined) client.destroy?.();
    },
  };
}
