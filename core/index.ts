export type { DatamoveErrorData, ErrorContext, ErrorKind } from './errors.js';
export { DatamoveError, dataInvalid, isDatamoveError } from './errors.js';
