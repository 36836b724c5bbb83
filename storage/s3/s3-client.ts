/**
 * The S3 client as datamove configures it (SDK retries off: `withRetry` owns them, checksums only when
 * required, the options' timeouts), the one `send` method the sources and the Iceberg FileIO use (tests
 * wrap it to inject faults), and `s3://bucket/prefix` URIs.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { DatamoveError } from '../../core/index.js';
import { objectKeyCheck } from '../object-key.js';
import type { ResolvedS3Options } from './s3-options.js';

/** The one method of `S3Client` used by the sources and the FileIO; tests wrap it to inject faults. */
export interface S3Sender {
  // biome-ignore lint/suspicious/noExplicitAny: the SDK's command types are generic over input and output
  send(command: any): Promise<any>;
  destroy?(): void;
}

/** True for `s3://…` URIs. */
export function isS3Uri(uri: string): boolean {
  return /^s3:\/\//i.test(uri);
}

/** `s3://bucket/prefix` → bucket and prefix (no leading or trailing slash). */
export function s3UriParse(uri: string): { bucket: string; prefix: string } {
  const m = /^s3:\/\/([^/?#]+)(?:\/(.*))?$/.exec(uri);
  if (!m || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(m[1]!)) {
    throw new DatamoveError('InvalidArgument', `source: '${uri}' is not an S3 URI (s3://bucket/prefix)`, {
      context: { uri },
    });
  }
  const prefix = (m[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (prefix !== '') objectKeyCheck(prefix, `source: ${uri}`);
  return { bucket: m[1]!, prefix };
}

/**
 * Called before an `S3Client` is made: turns off, through the SDK's documented switch (an environment
 * variable it reads when a client is made), its notice that SDK releases from January 2027 need Node ≥ 22.
 * On Node 20 the notice would print on every run; it is for whoever upgrades the pinned SDK — datamove's
 * maintainers — not for a user of datamove. A value set by the user (e.g. `false`) is kept.
 */
export function s3SdkNodeNoticeOff(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}

/** An S3 client configured from resolved options (SDK retries off: `withRetry` owns them). */
export function s3ClientCreate(o: ResolvedS3Options): S3Client {
  s3SdkNodeNoticeOff();
  return new S3Client({
    region: o.region,
    ...(o.endpoint === undefined ? {} : { endpoint: o.endpoint }),
    forcePathStyle: o.forcePathStyle,
    // a copy: the SDK annotates the credentials object it is given
    ...(o.credentials === undefined ? {} : { credentials: { ...o.credentials } }),
    maxAttempts: 1,
    followRegionRedirects: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: {
      connectionTimeout: o.connectTimeoutMs,
      socketTimeout: o.socketTimeoutMs,
    },
  });
}
