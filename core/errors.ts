/**
 * The one error class of datamove. Every failure a user can see is a `DatamoveError` with a `kind`
 * (what went wrong, so callers can decide), a `context` record (file, offset, column, …) and a message
 * that starts with the module and carries the numbers: `sstable: chunk 12 of nb-3-big-Data.db at offset
 * 786432: crc mismatch`. Errors cross worker threads as plain data (`toData` / `fromData`).
 */

export type ErrorKind =
  | 'DataInvalid'
  | 'FeatureUnsupported'
  | 'NotFound'
  | 'InvalidArgument'
  | 'CommitConflict'
  | 'CommitStateUnknown'
  | 'Unexpected';

export type ErrorContext = Readonly<Record<string, string | number | boolean | undefined>>;

export interface DatamoveErrorData {
  readonly kind: ErrorKind;
  readonly message: string;
  readonly context: ErrorContext;
  readonly retryable: boolean;
}

export class DatamoveError extends Error {
  readonly kind: ErrorKind;
  readonly context: ErrorContext;
  readonly retryable: boolean;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { context?: ErrorContext; cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DatamoveError';
    this.kind = kind;
    this.context = options.context ?? {};
    this.retryable = options.retryable ?? false;
  }

  toData(): DatamoveErrorData {
    return { kind: this.kind, message: this.message, context: this.context, retryable: this.retryable };
  }

  static fromData(data: DatamoveErrorData): DatamoveError {
    return new DatamoveError(data.kind, data.message, { context: data.context, retryable: data.retryable });
  }
}

/** Shorthand for the most common failure: bytes that do not decode. */
export function dataInvalid(message: string, context: ErrorContext = {}, cause?: unknown): DatamoveError {
  return new DatamoveError('DataInvalid', message, { context, cause });
}

export function isDatamoveError(e: unknown): e is DatamoveError {
  return e instanceof DatamoveError;
}
