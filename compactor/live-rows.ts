/**
 * From merged partitions to what `SELECT * FROM t` returns at a reference time: deletions applied
 * (partition, range, row — a shadowable row deletion only while no newer row marker shadows it — and
 * collection deletions), expired TTLs dropped, cells of dropped columns ignored, and a partition that has
 * only a live static row yielding one row with null clustering values.
 */

import type { TableModel } from '../reader/index.js';
import {
  type Cell,
  type DeletionTime,
  NO_TIMESTAMP,
  NO_TTL,
  NOT_READY,
  type NotReady,
  type Row,
} from '../reader/index.js';
import type { MergedPartition, MergedRow } from './partition-merge.js';
import { cellIsLive, deletionMax } from './reconcile.js';

/** A live CQL row: the partition key, the clustering values, and per column id its live cell(s). */
export interface LiveRow {
  readonly key: Uint8Array;
  /** `null` for the row of a static-only partition. */
  readonly clustering: readonly (Uint8Array | null)[] | null;
  /** Indexed by table column id: the live cell, the live cells of a multi-cell column, or undefined. */
  readonly values: readonly (Cell | Cell[] | undefined)[];
  /**
   * The row whose marker (timestamp, TTL, expiration) is live, or undefined: what an SSTable output needs
   * to write the row back with its original liveness (restores); the rows themselves ignore it.
   */
  readonly marker?: Row | undefined;
}

const EXPIRED_LIVENESS_TTL = 2147483647;

/** The live rows of one merged partition at `now` (seconds since the epoch). */
export async function* partitionLiveRows(
  p: MergedPartition,
  model: TableModel,
  now: number,
): AsyncGenerator<LiveRow> {
  const live = new PartitionLiveRows(p, model, now);
  for (let m = await p.nextRow(); m !== null; m = await p.nextRow()) {
    const row = live.row(m);
    if (row !== undefined) yield row;
  }
  const last = live.end();
  if (last !== undefined) yield last;
}

/**
 * The live rows of one merged partition, pulled synchronously: `tryNext()` gives the next live row, null
 * after the last, or NOT_READY (then `await` the merger's `ready()` and call again) — no promise per row.
 */
export class PartitionLiveRows {
  private readonly columnCount: number;
  private readonly staticValues: (Cell | Cell[] | undefined)[] | undefined;
  private any = false;
  private ended = false;

  constructor(
    private readonly p: MergedPartition,
    private readonly model: TableModel,
    private readonly now: number,
  ) {
    this.columnCount = model.columns.length;
    let staticValues: (Cell | Cell[] | undefined)[] | undefined;
    if (p.staticRow !== null) {
      const values = new Array<Cell | Cell[] | undefined>(this.columnCount);
      if (liveCells(p.staticRow, p.deletion, model, now, values)) staticValues = values;
    }
    this.staticValues = staticValues;
  }

  tryNext(): LiveRow | null | NotReady {
    if (this.ended) return null;
    for (;;) {
      const m = this.p.tryNextRow();
      if (m === NOT_READY) return NOT_READY;
      if (m === null) {
        this.ended = true;
        return this.end() ?? null;
      }
      const row = this.row(m);
      if (row !== undefined) return row;
    }
  }

  /** The live row of merged row `m`, or undefined when nothing of it is live. */
  row(m: MergedRow): LiveRow | undefined {
    const p = this.p;
    const row = m.row;
    let deletion = deletionMax(p.deletion, m.rangeDeletion);
    // a shadowable deletion (materialized views) is shadowed by a newer row marker
    const shadowed = row.shadowable && row.timestamp > row.deletion.markedForDeleteAt;
    if (!shadowed) deletion = deletionMax(deletion, row.deletion);
    const values = this.staticValues
      ? this.staticValues.slice()
      : new Array<Cell | Cell[] | undefined>(this.columnCount);
    const markerLive =
      row.timestamp !== NO_TIMESTAMP &&
      row.timestamp > deletion.markedForDeleteAt &&
      row.ttl !== EXPIRED_LIVENESS_TTL &&
      (row.ttl === NO_TTL || this.now < row.localExpirationTime);
    const cellsLive = liveCells(row, deletion, this.model, this.now, values);
    if (!markerLive && !cellsLive) return undefined;
    this.any = true;
    return { key: p.key, clustering: row.clustering, values, marker: markerLive ? row : undefined };
  }

  /** After the last merged row: the static-only row of a partition with no live row but a live static row. */
  end(): LiveRow | undefined {
    if (this.any || this.staticValues === undefined) return undefined;
    return { key: this.p.key, clustering: null, values: this.staticValues };
  }
}

/** Writes the live cells of `row` under `deletion` into `out`; true if there is at least one. */
function liveCells(
  row: Row,
  deletion: DeletionTime,
  model: TableModel,
  now: number,
  out: (Cell | Cell[] | undefined)[],
): boolean {
  let any = false;
  const cols = model.columns;
  for (const c of row.cells) {
    const col = cols[c.column]!;
    let floor = deletion.markedForDeleteAt;
    if (row.complexDeletions !== null && col.complex) {
      for (const cd of row.complexDeletions) {
        if (cd.column === c.column && cd.deletion.markedForDeleteAt > floor)
          floor = cd.deletion.markedForDeleteAt;
      }
    }
    if (c.timestamp <= floor) continue;
    if (col.droppedAt !== undefined && c.timestamp <= col.droppedAt) continue;
    if (!cellIsLive(c, now)) continue;
    if (col.hidden) {
      // a compact-storage placeholder still makes the row exist; a dropped column does not
      if (col.droppedAt === undefined) any = true;
      continue;
    }
    any = true;
    if (col.complex) {
      const prev = out[c.column];
      if (Array.isArray(prev)) prev.push(c);
      else out[c.column] = [c];
    } else out[c.column] = c;
  }
  return any;
}
