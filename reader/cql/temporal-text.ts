/**
 * Text forms of CQL temporal values: timestamps as ISO-8601 UTC with milliseconds, dates as YYYY-MM-DD
 * (years outside 0000-9999 in java.time style: `+10000`, `-0001`), times as HH:MM:SS.nnnnnnnnn and
 * durations in Cassandra's own text form. Follows serializers/TimestampSerializer.java,
 * SimpleDateSerializer.java, TimeSerializer.java and cql3/Duration.java (`toString`) in apache/cassandra.
 * Day/civil conversion is the proleptic Gregorian calendar (as java.time), computed without `Date` so
 * values beyond JavaScript's Date range still format.
 */

const MS_PER_DAY = 86_400_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Zero-padded 2- and 3-digit strings, so that per-cell formatting does not call padStart. */
const PAD2: readonly string[] = Array.from({ length: 100 }, (_, i) => pad(i, 2));
const PAD3: readonly string[] = Array.from({ length: 1000 }, (_, i) => pad(i, 3));

function formatYear(y: number): string {
  if (y >= 1000 && y <= 9999) return String(y);
  if (y < 0) return `-${pad(-y, 4)}`;
  if (y > 9999) return `+${y}`;
  return pad(y, 4);
}

/** `YYYY-MM-DD` of a day count relative to 1970-01-01 (proleptic Gregorian). */
export function formatEpochDay(day: number): string {
  // Days-to-civil over 400-year eras, shifted so that years start on March 1st.
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${formatYear(y)}-${PAD2[m]}-${PAD2[d]}`;
}

function formatMillisOfDay(ms: number): string {
  const h = Math.floor(ms / 3_600_000);
  const mi = Math.floor(ms / 60_000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${PAD2[h]}:${PAD2[mi]}:${PAD2[s]}.${PAD3[ms % 1000]}`;
}

/** ISO-8601 UTC with milliseconds (`2015-05-01T09:30:54.234Z`) of milliseconds since the epoch. */
export function formatTimestampMillis(ms: number): string {
  let day = Math.floor(ms / MS_PER_DAY);
  let rem = ms - day * MS_PER_DAY;
  // The float quotient can round across a day boundary near 2^53; correct it.
  if (rem < 0) {
    day -= 1;
    rem += MS_PER_DAY;
  } else if (rem >= MS_PER_DAY) {
    day += 1;
    rem -= MS_PER_DAY;
  }
  return `${formatEpochDay(day)}T${formatMillisOfDay(rem)}Z`;
}

/** Like {@link formatTimestampMillis} for any signed 64-bit millisecond count. */
export function formatTimestampMillisBig(ms: bigint): string {
  const perDay = BigInt(MS_PER_DAY);
  let day = ms / perDay;
  let rem = ms % perDay;
  if (rem < 0n) {
    rem += perDay;
    day -= 1n;
  }
  return `${formatEpochDay(Number(day))}T${formatMillisOfDay(Number(rem))}Z`;
}

/** `HH:MM:SS.nnnnnnnnn` of nanoseconds since midnight (0 <= nanos < 86400 * 10^9). */
export function formatTimeNanos(nanos: number): string {
  const secs = Math.floor(nanos / 1e9);
  const frac = nanos - secs * 1e9;
  const h = Math.floor(secs / 3600);
  const m = Math.floor(secs / 60) % 60;
  const s = secs % 60;
  return `${PAD2[h]}:${PAD2[m]}:${PAD2[s]}.${pad(frac, 9)}`;
}

const NANOS_PER_MICRO = 1000n;
const NANOS_PER_MILLI = 1000n * NANOS_PER_MICRO;
const NANOS_PER_SECOND = 1000n * NANOS_PER_MILLI;
const NANOS_PER_MINUTE = 60n * NANOS_PER_SECOND;
const NANOS_PER_HOUR = 60n * NANOS_PER_MINUTE;

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/**
 * Cassandra's duration text (`1y2mo3d`, `1h4m48s20ms`, `-1d`): a `-` when any part is negative, then
 * years/months from the months, days, and h/m/s/ms/us/ns from the nanoseconds, zero units left out.
 * A zero duration prints as the empty string, as `Duration.toString()` does.
 */
export function formatDuration(months: bigint, days: bigint, nanos: bigint): string {
  let out = months < 0n || days < 0n || nanos < 0n ? '-' : '';
  const unit = (value: bigint, divisor: bigint, name: string): bigint => {
    if (value === 0n || value < divisor) return value;
    out += `${value / divisor}${name}`;
    return value % divisor;
  };
  unit(unit(abs(months), 12n, 'y'), 1n, 'mo');
  unit(abs(days), 1n, 'd');
  if (nanos !== 0n) {
    let r = unit(abs(nanos), NANOS_PER_HOUR, 'h');
    r = unit(r, NANOS_PER_MINUTE, 'm');
    r = unit(r, NANOS_PER_SECOND, 's');
    r = unit(r, NANOS_PER_MILLI, 'ms');
    r = unit(r, NANOS_PER_MICRO, 'us');
    unit(r, 1n, 'ns');
  }
  return out;
}
