/**
 * Where test backups are written: a local folder or an S3 bucket prefix, behind put/delete. Shared by
 * the backup fixtures here and, later, the synthetic cluster-backup generator.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

export interface BackupSink {
  /** The URI a `BackupSource` reads the written backups from. */
  readonly uri: string;
  put(key: string, body: Uint8Array | string): Promise<void>;
  delete(key: string): Promise<void>;
}

export function localSink(dir: string): BackupSink {
  return {
    uri: dir,
    async put(key, body) {
      const p = join(dir, ...key.split('/'));
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, body);
    },
    async delete(key) {
      rmSync(join(dir, ...key.split('/')), { force: true });
    },
  };
}

export function s3Sink(client: S3Client, bucket: string, prefix = ''): BackupSink {
  const k = (key: string): string => (prefix === '' ? key : `${prefix}/${key}`);
  return {
    uri: prefix === '' ? `s3://${bucket}` : `s3://${bucket}/${prefix}`,
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: k(key), Body: body }));
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: k(key) }));
    },
  };
}
