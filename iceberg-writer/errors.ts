/**
 * Error helpers shared across the writer.
 *
 * `optionsInvalid`: the error of an options object zod rejected, the same for every options object here
 * (catalogs, commits, the data writer, S3) — an `InvalidArgument` naming the first bad field by its full
 * path (`job.target.commit.maxAttempts: Number must be less than or equal to 1000`). It never echoes the
 * value (zod's messages do not include the input), so a credential cannot end up in a log.
 *
 * `errorLine`: any thrown value as one line of text, for a message that reports a second failure next to
 * the first (a marker that could not be written, a check that could not be made); `fetchFailureText`: a
 * request that got no answer (refused, reset, DNS, timeout) — `fetch` puts the reason in the cause.
 */
import type { z } from 'zod';
import { DatamoveError } from '../core/index.js';

export function optionsInvalid(path: string, error: z.ZodError): DatamoveError {
  const issue = error.issues[0]!;
  const where = [path, ...issue.path.map(String)].join('.');
  return new DatamoveError('InvalidArgument', `${where}: ${issue.message}`, { context: { field: where } });
}

export function errorLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/\s*\n\s*/g, ' ');
}

export function fetchFailureText(e: unknown): string {
  const cause = (e as { cause?: { message?: unknown } } | undefined)?.cause?.message;
  return `${errorLine(e)}${typeof cause === 'string' ? ` (${errorLine(cause)})` : ''}`;
}
