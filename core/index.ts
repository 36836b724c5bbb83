export { abortReasonText, cancelledError, isCancelled } from './cancel.js';
export type { DatamoveErrorData, ErrorContext, ErrorKind } from './errors.js';
export { DatamoveError, dataInvalid, isDatamoveError } from './errors.js';
export { percentText } from './percent.js';
