/**
 * Ratios (0..1) as percentages for people. Data — the diff report, the shadow results in runs.db, the
 * metrics, the dashboard's JSON — always carries the ratio; only text shows a percentage. The value is
 * rounded DOWN to the digits shown, so 100% means exactly equal: a similarity of 0.99996 reads 99.99%,
 * never 100.00%.
 */

/** `ratio` × 100 with `digits` decimals, rounded down, and a `%` sign: `percentText(0.9, 1)` is `90.0%`. */
export function percentText(ratio: number, digits: number): string {
  const scale = 10 ** digits;
  // the epsilon keeps 0.29 × 100 (28.999999999999996) at 29.00 rather than 28.99
  const down = Math.floor(ratio * 100 * scale * (1 + Number.EPSILON * 4)) / scale;
  return `${down.toFixed(digits)}%`;
}
