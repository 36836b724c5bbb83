/**
 * The as-of time of a restore: ISO-8601 only (a date, or a date and time with an optional zone; no zone
 * means UTC), never in the future, and the default target table name derived from it.
 */
import { DatamoveError } from '../../core/index.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** `--as-of` text → ms since the epoch; one-line errors for a malformed time or one in the future. */
export function restoreTimeParse(text: string, clock: () => number = Date.now): number {
  const m = ISO.exec(text.trim());
  const bad = (why: string): DatamoveError =>
    new DatamoveError('InvalidArgument', `restore: --as-of '${text}' ${why}`, {
      context: { field: 'as-of', value: text },
    });
  if (m === null) throw bad('is not an ISO-8601 time (e.g. 2026-03-02T12:00:00Z)');
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${frac === '' ? '' : `.${frac.slice(0, 3).padEnd(3, '0')}`}${zone ?? 'Z'}`;
  const ms = Date.parse(iso);
  // Date.parse rolls 2026-02-30 over to March: compare the fields back
  const check = new Date(ms);
  if (!Number.isFinite(ms) || Number(mo) < 1 || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23)
    throw bad('is not a valid date and time');
  if (zone === undefined || zone === 'Z') {
    if (check.getUTCDate() !== Number(d) || check.getUTCMonth() + 1 !== Number(mo))
      throw bad('is not a valid date and time');
  }
  const now = clock();
  if (ms > now)
    throw bad(
      `is in the future (now is ${new Date(now).toISOString()}); a restore reads backups taken before T`,
    );
  return ms;
}

/** `<table>__asof_<yyyymmddThhmmss>` (UTC). */
export function restoreTableName(table: string, asOfMs: number): string {
  const iso = new Date(asOfMs).toISOString();
  return `${table}__asof_${iso.slice(0, 10).replace(/-/g, '')}T${iso.slice(11, 19).replace(/:/g, '')}`;
}
