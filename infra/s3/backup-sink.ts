/**
 * Where test backups are written: a local folder or an S3 bucket prefix, behind put/delete. Shared by
 * the backup fixtures here and, later, the synthetic cluster-backup generator.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  isS3Uri,
  type ResolvedS3Options,
  s3ClientCreate,
  s3OptionsFromEnv,
  s3OptionsResolve,
  s3UriParse,
} from '../../storage/index.js';

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

/** A sink for `out`: an s3:// URI (with `s3`, else the environment's S3 settings) or a local folder. */
export function backupSinkFor(out: string, s3?: ResolvedS3Options): BackupSink {
  if (!isS3Uri(out)) return localSink(out);
  const { bucket, prefix } = s3UriParse(out);
  return s3Sink(
    s3ClientCreate(s3 ?? s3OptionsResolve(s3OptionsFromEnv(process.env))),
    bucket,
    prefix.replace(/\/$/, ''),
  );
}
