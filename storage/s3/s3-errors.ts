/**
 * AWS SDK errors → `DatamoveError`s with one clear line each and the right `retryable` flag: throttling
 * (503 SlowDown, 429), 5xx, timeouts and connection resets are retryable; a missing bucket, bad
 * credentials and access denied are not, and say what to check. Messages carry the bucket and key,
 * never credentials.
 */
import { DatamoveError } from '../../core/index.js';

const RETRYABLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'InternalError',
  'ServiceUnavailable',
  'TooManyRequestsException',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'TimeoutError',
  'UND_ERR_SOCKET',
]);

/** What kind of failure an S3 request had (the metrics' `kind` label). */
export type S3FailureKind =
  | 'not-found'
  | 'access-denied'
  | 'credentials'
  | 'throttled'
  | 'server-error'
  | 'network'
  | 'other';

export type S3FailureListener = (kind: S3FailureKind, operation: string) => void;

const failureListeners = new Set<S3FailureListener>();

/**
 * Calls `listener` on every failed S3 request of this thread (each attempt, retried or not) and of the
 * compactor worker threads it runs (forwarded by the pool, see `s3FailureNotify`) — the metrics count
 * them by kind. Returns the function that removes it. Listening changes nothing in how requests run.
 */
export function s3FailureListen(listener: S3FailureListener): () => void {
  failureListeners.add(listener);
  return () => failureListeners.delete(listener);
}

/**
 * Tells this thread's listeners of a failed S3 request: called for every request that fails here, and by
 * the compactor's pool to re-emit the failures its worker threads report (their listeners are their own).
 */
export function s3FailureNotify(kind: S3FailureKind, operation: string): void {
  for (const l of failureListeners) {
    try {
      l(kind, operation);
    } catch {
      // a listener's failure is not the request's
    }
  }
}

interface SdkErrorLike {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** The HTTP status of an SDK error, if it has one. */
export function s3ErrorStatus(e: unknown): number | undefined {
  return (e as SdkErrorLike)?.$metadata?.httpStatusCode;
}

/**
 * Classifies an SDK error for `operation` (`GET`, `LIST`, `HEAD`) on `s3://bucket/key`.
 */
export function s3Error(e: unknown, operation: string, bucket: string, key: string): DatamoveError {
  const d = s3ErrorClassify(e, operation, bucket, key);
  const status = d.context.status as number | undefined;
  const code = String(d.context.code ?? '');
  const netCode = (e as { code?: string } | undefined)?.code ?? code;
  s3FailureNotify(
    d.kind === 'NotFound'
      ? 'not-found'
      : /credentials were rejected/.test(d.message)
        ? 'credentials'
        : /access denied/.test(d.message)
          ? 'access-denied'
          : status === 429 || code === 'SlowDown' || /Throttl|TooManyRequests/.test(code)
            ? 'throttled'
            : status !== undefined && status >= 500
              ? 'server-error'
              : NETWORK_CODES.has(netCode) || NETWORK_CODES.has(code)
                ? 'network'
                : 'other',
    operation,
  );
  return d;
}

function s3ErrorClassify(e: unknown, operation: string, bucket: string, key: string): DatamoveError {
  const err = (e ?? {}) as SdkErrorLike;
  const name = err.name ?? err.code ?? 'Error';
  const status = s3ErrorStatus(e);
  const where = `s3: ${operation} s3://${bucket}/${key}`;
  const context = { bucket, key, operation, status, code: name };
  if (name === 'NoSuchBucket') {
    return new DatamoveError('NotFound', `${where}: bucket '${bucket}' does not exist`, {
      context,
      cause: e,
    });
  }
  if (name === 'NoSuchKey' || name === 'NotFound' || status === 404) {
    return new DatamoveError('NotFound', `${where}: no such object`, { context, cause: e });
  }
  if (
    name === 'InvalidAccessKeyId' ||
    name === 'SignatureDoesNotMatch' ||
    name === 'ExpiredToken' ||
    name === 'InvalidToken' ||
    name === 'CredentialsProviderError' ||
    name === 'UnrecognizedClientException'
  ) {
    return new DatamoveError(
      'InvalidArgument',
      `${where}: the credentials were rejected (${name}); check the AWS credential chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, …) and the endpoint`,
      { context, cause: e },
    );
  }
  if (name === 'AccessDenied' || status === 403) {
    return new DatamoveError(
      'InvalidArgument',
      `${where}: access denied (${name}); check the bucket policy and the IAM permissions`,
      {
        context,
        cause: e,
      },
    );
  }
  const code = (err as { code?: string }).code ?? name;
  const retryable =
    RETRYABLE_CODES.has(name) ||
    NETWORK_CODES.has(code) ||
    NETWORK_CODES.has(name) ||
    (status !== undefined && (status >= 500 || status === 429)) ||
    err.$retryable !== undefined;
  const what = status !== undefined ? `HTTP ${status} ${name}` : `${name}: ${err.message ?? String(e)}`;
  return new DatamoveError(retryable ? 'Unexpected' : 'DataInvalid', `${where}: ${what}`, {
    context,
    cause: e,
    retryable,
  });
}
