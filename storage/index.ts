/**
 * storage: byte access to S3 and local files — byte sources and sinks, ranged reads with read-ahead,
 * retries, request and memory limits, the S3 client, its options and errors, and object keys. Generic:
 * it knows nothing of backups, SSTables or Iceberg; the reader and the Iceberg FileIO build on it.
 */
export type { ByteSink, SinkDirectory } from './byte-sink.js';
export { type ByteSource, type ByteSourceDirectory, bytesSource } from './byte-source.js';
export { type ConcurrencyLimit, concurrencyLimit } from './concurrency-limit.js';
export { localSinkDirectory } from './local/local-sink.js';
export { localDirectory, localFileSource, localResolve } from './local/local-source.js';
export { type MemoryBudget, memoryBudget } from './memory-budget.js';
export { objectKeyBase, objectKeyCheck, objectKeyJoin, objectKeyParent } from './object-key.js';
export { type RangedSourceOptions, rangedByteSource } from './ranged-source.js';
export { DEFAULT_RETRY_POLICY, type RetryHooks, type RetryPolicy, retryDelay, withRetry } from './retry.js';
export { isS3Uri, type S3Sender, s3ClientCreate, s3SdkNodeNoticeOff, s3UriParse } from './s3/s3-client.js';
export {
  type S3FailureKind,
  type S3FailureListener,
  s3Error,
  s3ErrorStatus,
  s3FailureListen,
  s3FailureNotify,
} from './s3/s3-errors.js';
export {
  type ResolvedS3Options,
  type S3Options,
  s3OptionsFromEnv,
  s3OptionsResolve,
  s3OptionsSchema,
} from './s3/s3-options.js';
