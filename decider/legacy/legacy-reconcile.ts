/**
 * The legacy path, step 2: Cassandra's reconciliation as SQL over the staging tables (legacy-stage.ts), an
 * implementation independent of the compactor's (compactor/reconcile.ts, live-rows.ts) so that shadow
 * validation compares two readings of the rules:
 *
 * - a partition deletion, a covering range tombstone (`start_key < ck < end_key`, byte-comparable keys) and
 *   the row's own deletion shadow everything of the row written at or before them (a shadowable deletion
 *   only while no newer row marker exists); a collection deletion shadows that column's cells;
 * - per cell (pk, clustering, column, path) the winner is the highest timestamp; on a tie a tombstone or
 *   expiring cell beats a live one, a tombstone beats an expiring cell, the later local deletion time wins,
 *   then the greater value (db/Cells.java `reconcile`);
 * - the row marker with the highest timestamp wins (an expired marker, then an expiring one, then the later
 *   expiration on a tie: db/LivenessInfo.java `supersedes`);
 * - a cell is live when it is not a tombstone and either never expires or expires after the reference time;
 *   a row exists when its marker is live or one of its cells is (static cells do not make a row exist).
 *
 * Result tables: `live` (live cells, static ones under the static key) and `live_rows` (pk, ck, ckv).
 */

/** Cell.NO_DELETION_TIME and LivenessInfo.EXPIRED_LIVENESS_TTL. */
const NO_DELETION_TIME = 2147483647;
const EXPIRED_LIVENESS_TTL = 2147483647;
const MIN = '(-9223372036854775808)::BIGINT';

/** The temporary tables the statements create (dropped together to free a reconciled table's memory). */
export const RECONCILE_TABLES = [
  'pdel',
  'marker',
  'rdel',
  'row_keys',
  'rtdel',
  'row_deletion',
  'winner',
  'cdel',
  'live',
  'live_rows',
] as const;

/** The SQL statements, in order, for reference time `now` (seconds since the epoch). */
export function legacyReconcileSql(now: number): string[] {
  const n = Math.floor(now);
  return [
    `CREATE TEMP TABLE pdel AS SELECT pk, max(ts) AS ts FROM partition_deletions GROUP BY pk`,
    `CREATE TEMP TABLE marker AS
       SELECT pk, ck, marker_ts AS ts, marker_ttl AS ttl, marker_ldt AS ldt FROM rows
       WHERE marker_ts IS NOT NULL
       QUALIFY row_number() OVER (PARTITION BY pk, ck ORDER BY marker_ts DESC,
         (marker_ttl = ${EXPIRED_LIVENESS_TTL}) DESC, (marker_ttl <> 0) DESC, marker_ldt DESC) = 1`,
    `CREATE TEMP TABLE rdel AS
       SELECT r.pk, r.ck, max(r.del_ts) AS ts FROM rows r
       LEFT JOIN marker m ON m.pk = r.pk AND m.ck = r.ck
       WHERE r.del_ts IS NOT NULL AND (NOT r.shadowable OR m.ts IS NULL OR m.ts <= r.del_ts)
       GROUP BY r.pk, r.ck`,
    `CREATE TEMP TABLE row_keys AS SELECT pk, ck, any_value(ckv) AS ckv FROM rows GROUP BY pk, ck`,
    `CREATE TEMP TABLE rtdel AS
       SELECT k.pk, k.ck, max(t.ts) AS ts FROM row_keys k
       JOIN range_deletions t ON t.pk = k.pk AND t.start_key < k.ck AND k.ck < t.end_key
       GROUP BY k.pk, k.ck`,
    `CREATE TEMP TABLE row_deletion AS
       SELECT k.pk, k.ck, k.ckv,
         greatest(coalesce(p.ts, ${MIN}), coalesce(r.ts, ${MIN}), coalesce(t.ts, ${MIN})) AS ts
       FROM row_keys k
       LEFT JOIN pdel p ON p.pk = k.pk
       LEFT JOIN rdel r ON r.pk = k.pk AND r.ck = k.ck
       LEFT JOIN rtdel t ON t.pk = k.pk AND t.ck = k.ck`,
    `CREATE TEMP TABLE winner AS
       SELECT * FROM cells
       QUALIFY row_number() OVER (PARTITION BY pk, ck, col, path ORDER BY ts DESC,
         (ldt <> ${NO_DELETION_TIME}) DESC, tombstone DESC, ldt DESC, value DESC) = 1`,
    `CREATE TEMP TABLE cdel AS SELECT pk, ck, col, max(ts) AS ts FROM complex_deletions GROUP BY pk, ck, col`,
    `CREATE TEMP TABLE live AS
       SELECT w.* FROM winner w
       LEFT JOIN row_deletion d ON d.pk = w.pk AND d.ck = w.ck
       LEFT JOIN pdel p ON p.pk = w.pk
       LEFT JOIN cdel x ON x.pk = w.pk AND x.ck = w.ck AND x.col = w.col
       WHERE NOT w.tombstone
         AND w.ts > coalesce(d.ts, p.ts, ${MIN})
         AND w.ts > coalesce(x.ts, ${MIN})
         AND (w.ldt = ${NO_DELETION_TIME} OR (w.expiring AND ${n} < w.ldt))`,
    `CREATE TEMP TABLE live_rows AS
       SELECT d.pk, d.ck, d.ckv FROM row_deletion d
       LEFT JOIN marker m ON m.pk = d.pk AND m.ck = d.ck
       WHERE (m.ts IS NOT NULL AND m.ts > d.ts AND m.ttl <> ${EXPIRED_LIVENESS_TTL} AND (m.ttl = 0 OR ${n} < m.ldt))
          OR EXISTS (SELECT 1 FROM live l WHERE l.pk = d.pk AND l.ck = d.ck)`,
  ];
}

/** Live rows with their live cells, in (pk, clustering, column, path) order. */
export const LIVE_ROWS_SQL = `
  SELECT r.pk, r.ckv, l.col, l.path, l.value, l.ts, l.ttl, l.ldt, l.expiring
  FROM live_rows r LEFT JOIN live l ON l.pk = r.pk AND l.ck = r.ck
  ORDER BY r.pk, r.ck, l.col, l.path_key`;

/** Live static cells (the static key is the single byte 0x00). */
export const LIVE_STATIC_SQL = `
  SELECT pk, col, path, value, ts, ttl, ldt, expiring FROM live
  WHERE ck = '\\x00'::BLOB ORDER BY pk, col, path_key`;
