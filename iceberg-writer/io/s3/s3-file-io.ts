/**
 * `FileIO` on S3 and S3-compatible stores (MinIO, LocalStack, s3rver): the warehouse of `s3://bucket/prefix`
 * tables. It reuses the backup reader's S3 settings, client and retry policy (reader/source/s3), so one
 * configuration reaches both the backups and the warehouse, and every request is retried the same way:
 * throttling, 5xx, resets and truncated bodies with jittered exponential backoff, nothing else.
 *
 * Why this shape: Iceberg data and metadata files are written once under unique names and never modified,
 * so a write is one PUT (S3 makes an object visible only when it is complete — readers never see a partial
 * file, the property the commit protocol needs) or, above `partBytes`, a multipart upload whose parts are
 * retried one by one and which is aborted on failure (nothing is visible until CompleteMultipartUpload).
 * Every PUT carries Content-MD5, so a body damaged in transit is rejected by the store, not committed.
 * Re-sending a PUT after an unclear failure is safe for the same reason: same name, same bytes.
 *
 * URIs: `s3://bucket/key`; `s3a://` and `s3n://` (written by Hadoop-based engines) are read as `s3://`.
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DatamoveError, isDatamoveError } from '../../../core/index.js';
import {
  concurrencyLimit,
  type RetryHooks,
  type RetryPolicy,
  type S3Sender,
  s3ClientCreate,
  s3Error,
  withRetry,
} from '../../../storage/index.js';
import type { FileInfo, FileIO } from '../file-io.js';
import { type ResolvedS3FileIOOptions, s3FileIOOptionsResolve } from './s3-file-io-options.js';

export interface S3FileIOHooks extends RetryHooks {
  /** A client to use instead of one built from the options (tests wrap it to inject faults). */
  readonly client?: S3Sender;
}

/** `s3://bucket/key` (or `s3a://`, `s3n://`) → bucket and key (the key may be empty). */
export function s3LocationParse(uri: string): { bucket: string; key: string } {
  const m = /^s3[an]?:\/\/([^/?#]+)(?:\/(.*))?$/i.exec(uri);
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1]!)) {
    throw new DatamoveError('InvalidArgument', `iceberg: '${uri}' is not an S3 location (s3://bucket/key)`, {
      context: { uri },
    });
  }
  return { bucket: m[1]!, key: m[2] ?? '' };
}

/** True for `s3://`, `s3a://` and `s3n://` locations. */
export function isS3Location(uri: string): boolean {
  return /^s3[an]?:\/\//i.test(uri);
}

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('base64');

/** S3 FileIO. `close()` releases the client's sockets. */
export class S3FileIO implements FileIO {
  readonly options: ResolvedS3FileIOOptions;
  readonly #client: S3Sender;
  readonly #ownsClient: boolean;
  readonly #policy: RetryPolicy;
  readonly #hooks: S3FileIOHooks;
  readonly #limit: ReturnType<typeof concurrencyLimit>;

  /** `options`: S3 settings as for backups (`S3Options`) plus `partBytes`. */
  constructor(options: unknown = {}, hooks: S3FileIOHooks = {}) {
    this.options = s3FileIOOptionsResolve(options);
    const o = this.options.s3;
    this.#client = hooks.client ?? s3ClientCreate(o);
    this.#ownsClient = hooks.client === undefined;
    this.#policy = { maxAttempts: o.maxAttempts, baseDelayMs: o.baseDelayMs, maxDelayMs: o.maxDelayMs };
    this.#hooks = hooks;
    this.#limit = concurrencyLimit(o.concurrency);
  }

  #retry<T>(op: string, bucket: string, key: string, f: () => Promise<T>): Promise<T> {
    return withRetry(f, (e) => s3Error(e, op, bucket, key), this.#policy, this.#hooks);
  }

  async read(uri: string): Promise<Uint8Array> {
    const { bucket, key } = s3LocationParse(uri);
    return this.#retry('GET', bucket, key, () =>
      this.#limit.run(async () => {
        const out = (await this.#client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))) as {
          Body?: { transformToByteArray(): Promise<Uint8Array> };
          ContentLength?: number;
        };
        let bytes: Uint8Array;
        try {
          bytes = out.Body === undefined ? new Uint8Array(0) : await out.Body.transformToByteArray();
        } catch (e) {
          throw s3Error(e, 'GET', bucket, key);
        }
        if (out.ContentLength !== undefined && bytes.length !== out.ContentLength) {
          throw new DatamoveError(
            'DataInvalid',
            `s3: GET s3://${bucket}/${key}: truncated body: ${bytes.length} of ${out.ContentLength} bytes`,
            { context: { bucket, key }, retryable: true },
          );
        }
        return bytes;
      }),
    );
  }

  async write(uri: string, bytes: Uint8Array): Promise<void> {
    const { bucket, key } = s3LocationParse(uri);
    if (key === '' || key.endsWith('/')) {
      throw new DatamoveError('InvalidArgument', `iceberg: '${uri}' names no object`, { context: { uri } });
    }
    if (bytes.length <= this.options.partBytes) {
      await this.#retry('PUT', bucket, key, () =>
        this.#limit.run(() =>
          this.#client.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: bytes,
              ContentLength: bytes.length,
              ContentMD5: md5(bytes),
            }),
          ),
        ),
      );
      return;
    }
    await this.#multipart(bucket, key, bytes);
  }

  async #multipart(bucket: string, key: string, bytes: Uint8Array): Promise<void> {
    const created = (await this.#retry('PUT', bucket, key, () =>
      this.#client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key })),
    )) as { UploadId?: string };
    const uploadId = created.UploadId!;
    const size = this.options.partBytes;
    const count = Math.ceil(bytes.length / size);
    try {
      const parts = await Promise.all(
        Array.from({ length: count }, (_, i) => {
          const body = bytes.subarray(i * size, Math.min(bytes.length, (i + 1) * size));
          return this.#retry('PUT', bucket, `${key} (part ${i + 1} of ${count})`, () =>
            this.#limit.run(async () => {
              const out = (await this.#client.send(
                new UploadPartCommand({
                  Bucket: bucket,
                  Key: key,
                  UploadId: uploadId,
                  PartNumber: i + 1,
                  Body: body,
                  ContentLength: body.length,
                  ContentMD5: md5(body),
                }),
              )) as { ETag?: string };
              return { PartNumber: i + 1, ETag: out.ETag };
            }),
          );
        }),
      );
      await this.#retry('PUT', bucket, key, () =>
        this.#client.send(
          new CompleteMultipartUploadCommand({
            Bucket: bucket,
            Key: key,
            UploadId: uploadId,
            MultipartUpload: { Parts: parts },
          }),
        ),
      );
    } catch (e) {
      // nothing of an incomplete upload is visible; abort so its parts stop costing storage
      await this.#client
        .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
        .catch(() => undefined);
      throw e;
    }
  }

  async exists(uri: string): Promise<boolean> {
    const { bucket, key } = s3LocationParse(uri);
    try {
      await this.#retry('HEAD', bucket, key, () =>
        this.#limit.run(() => this.#client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))),
      );
      return true;
    } catch (e) {
      if (isDatamoveError(e) && e.kind === 'NotFound') return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<FileInfo[]> {
    const { bucket, key } = s3LocationParse(prefix);
    const scheme = prefix.slice(0, prefix.indexOf('://'));
    const out: FileInfo[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.#retry('LIST', bucket, key, () =>
        this.#limit.run(() =>
          this.#client.send(
            new ListObjectsV2Command({
              Bucket: bucket,
              Prefix: key,
              ...(token === undefined ? {} : { ContinuationToken: token }),
            }),
          ),
        ),
      );
      for (const c of page.Contents ?? []) {
        if (c.Key === undefined || !c.Key.startsWith(key)) continue;
        out.push({
          uri: `${scheme}://${bucket}/${c.Key}`,
          size: c.Size ?? 0,
          lastModified: c.LastModified?.getTime() ?? 0,
        });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return out.sort((a, b) => (a.uri < b.uri ? -1 : a.uri > b.uri ? 1 : 0));
  }

  async delete(uri: string): Promise<void> {
    const { bucket, key } = s3LocationParse(uri);
    try {
      await this.#retry('DELETE', bucket, key, () =>
        this.#limit.run(() => this.#client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
      );
    } catch (e) {
      if (isDatamoveError(e) && e.kind === 'NotFound' && e.context.code !== 'NoSuchBucket') return;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.#ownsClient) this.#client.destroy?.();
  }
}
