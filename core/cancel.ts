/**
 * Cancellation: every long-running step (the compactor's run, a connector job, the legacy path) takes an
 * optional `AbortSignal` and, once it is aborted, stops its work, cleans up what it had not committed and
 * rejects with ONE kind of error — a `DatamoveError` whose message says that the step was cancelled and
 * why (the signal's reason), with `context.cancelled = true` so callers can tell it from a failure.
 */
import { DatamoveError, type ErrorContext } from './errors.js';

/** The signal's reason as one line (an Error's message, else its text). */
export function abortReasonText(signal: AbortSignal): string {
  const r = signal.reason as unknown;
  if (r instanceof Error) return r.message;
  return r === undefined ? 'aborted' : String(r);
}

/** `<module>: <what> cancelled: <reason>`. */
export function cancelledError(
  module: string,
  what: string,
  signal: AbortSignal,
  context: ErrorContext = {},
): DatamoveError {
  return new DatamoveError('Unexpected', `${module}: ${what} cancelled: ${abortReasonText(signal)}`, {
    context: { ...context, cancelled: true },
    cause: signal.reason,
  });
}

/** Whether `e` is a cancellation (see `cancelledError`). */
export function isCancelled(e: unknown): boolean {
  return e instanceof DatamoveError && e.context.cancelled === true;
}
