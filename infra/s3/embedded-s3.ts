/**
 * The embedded S3: s3rver (an S3 API over a local folder) started in-process on loopback, for
 * `datamove s3 serve` and for tests (port 0 = a free port). s3rver accepts the access key `S3RVER` with
 * secret `S3RVER`; `options` returns the S3 settings that reach it, credentials included, so tests never
 * set global environment variables.
 */
import { mkdirSync } from 'node:fs';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { type S3Options, s3SdkNodeNoticeOff } from '../../storage/index.js';

export const EMBEDDED_S3_ACCESS_KEY = 'S3RVER';
export const EMBEDDED_S3_SECRET_KEY = 'S3RVER';

export interface EmbeddedS3Options {
  /** Where objects are stored (created if missing). */
  readonly dir: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /** Buckets to create at start. */
  readonly buckets?: readonly string[];
  /** Log every request to stdout (default false). */
  readonly verbose?: boolean;
}

export interface EmbeddedS3 {
  readonly endpoint: string;
  readonly port: number;
  /** S3 options reaching this server (endpoint, path style, the s3rver credentials). */
  readonly options: S3Options & { endpoint: string };
  /** A client for test setup (uploads). */
  client(): S3Client;
  /** Uploads one object. */
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  close(): Promise<void>;
}

export async function embeddedS3Start(o: EmbeddedS3Options): Promise<EmbeddedS3> {
  mkdirSync(o.dir, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: o.port ?? 0,
    silent: !o.verbose,
    directory: o.dir,
    configureBuckets: (o.buckets ?? []).map((name) => ({ name })),
  });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const options = {
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: EMBEDDED_S3_ACCESS_KEY, secretAccessKey: EMBEDDED_S3_SECRET_KEY },
  };
  let client: S3Client | undefined;
  const getClient = (): S3Client => {
    if (client === undefined) {
      s3SdkNodeNoticeOff();
      client = new S3Client({
        ...options,
        credentials: { ...options.credentials },
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
    }
    return client;
  };
  return {
    endpoint,
    port: address.port,
    options,
    client: getClient,
    async put(bucket, key, body) {
      await getClient().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async close() {
      client?.destroy();
      await server.close();
    },
  };
}
