export { DatamoveError, dataInvalid, isDatamoveError } from './errors.js';
export type { DatamoveErrorData, ErrorContext, ErrorKind } from './errors.js';
