/**
 * Streaming k-way merge of SSTable scans, the way Cassandra's read path merges memtables and SSTables
 * (db/rows/UnfilteredRowIterators.java `merge`, db/partitions/UnfilteredPartitionIterators.java):
 * partitions by (token, key), then within a partition rows and range tombstone markers by clustering,
 * then cells by column and path. Nothing is buffered beyond one unfiltered per source.
 *
 * The merged stream hands out each clustering position once, with the deletion that covers it: the
 * partition deletion, the range tombstones open at that point in any source, and the row's own deletion.
 */

import { cqlCompare } from '../reader/cql/cql-compare.js';
import type { CqlType } from '../reader/cql/cql-type.js';
import type { Partitioner, Token } from '../reader/partitioner/partitioner.js';
import type { PartitionStream } from '../reader/sstable/scanner.js';
import type { TableModel } from '../reader/sstable/table-model.js';
import {
  boundIsEnd,
  type Cell,
  type ComplexDeletion,
  type DeletionTime,
  LIVE,
  MARKER,
  ROW,
  type Row,
  type Unfiltered,
} from '../reader/sstable/unfiltered.js';
import { clusteringComparator, type UnfilteredComparator } from './clustering-order.js';
import {
  cellReconcile,
  compareBytes,
  deletionMax,
  deletionSupersedes,
  isCounter,
  livenessSupersedes,
} from './reconcile.js';

export interface MergeSource {
  readonly scanner: PartitionStream;
  /** For messages. */
  readonly name: string;
}

export interface MergedRow {
  /** The row, reconciled across sources (cells not yet filtered by deletions). */
  readonly row: Row;
  /** The strongest range tombstone open at this row across all sources (LIVE when none). */
  readonly rangeDeletion: DeletionTime;
}

export interface MergedPartition {
  readonly key: Uint8Array;
  readonly token: Token;
  readonly deletion: DeletionTime;
  readonly staticRow: Row | null;
  /** Sources holding this partition. */
  readonly sourceCount: number;
  /** The next merged row in clustering order; `null` after the last. */
  nextRow(): Promise<MergedRow | null>;
}

interface Head {
  readonly source: number;
  key: Uint8Array;
  token: Token;
  deletion: DeletionTime;
  staticRow: Row | null;
}

/** Merges the partitions of several SSTables of one table (same partitioner). */
export class PartitionMerger {
  private heads: (Head | undefined)[];
  private started = false;
  private readonly compare: UnfilteredComparator;
  private readonly pathTypes: (CqlType | null)[];
  private readonly counters: boolean[];
  private current: PartitionMergeState | undefined;

  constructor(
    private readonly sources: readonly MergeSource[],
    private readonly partitioner: Partitioner,
    clusteringTypes: readonly CqlType[],
    model: TableModel,
    private readonly now: number,
  ) {
    this.heads = new Array(sources.length).fill(undefined);
    this.compare = clusteringComparator(clusteringTypes);
    this.pathTypes = model.columns.map((c) => cellPathType(c.type));
    this.counters = model.columns.map((c) => isCounter(c.type));
  }

  async nextPartition(): Promise<MergedPartition | undefined> {
    if (this.current) await this.current.drain();
    if (!this.started) {
      this.started = true;
      await Promise.all(this.sources.map((_, i) => this.advance(i)));
    }
    let min: Head | undefined;
    for (const h of this.heads) {
      if (h === undefined) continue;
      if (min === undefined || this.comparePartitions(h, min) < 0) min = h;
    }
    if (min === undefined) return undefined;
    const members: Head[] = [];
    for (const h of this.heads) if (h !== undefined && this.comparePartitions(h, min) === 0) members.push(h);
    let deletion: DeletionTime = LIVE;
    for (const m of members) deletion = deletionMax(deletion, m.deletion);
    const statics = members.map((m) => m.staticRow).filter((r): r is Row => r !== null);
    const staticRow =
      statics.length === 0 ? null : statics.length === 1 ? statics[0]! : this.mergeRows(statics);
    const state = new PartitionMergeState(
      this,
      members.map((m) => m.source),
    );
    this.current = state;
    return {
      key: min.key,
      token: min.token,
      deletion,
      staticRow,
      sourceCount: members.length,
      nextRow: () => state.next(),
    };
  }

  /** Called by the partition state when it is done with a source's partition. */
  async advance(source: number): Promise<void> {
    const p = await this.sources[source]!.scanner.nextPartition();
    if (p === undefined) {
      this.heads[source] = undefined;
      return;
    }
    this.heads[source] = {
      source,
      key: p.key,
      token: this.partitioner.tokenOf(p.key),
      deletion: p.deletion,
      staticRow: p.staticRow,
    };
  }

  scanner(source: number): PartitionStream {
    return this.sources[source]!.scanner;
  }

  get comparator(): UnfilteredComparator {
    return this.compare;
  }

  private comparePartitions(a: Head, b: Head): number {
    const c = this.partitioner.compareTokens(a.token, b.token);
    return c !== 0 ? c : compareBytes(a.key, b.key);
  }

  /** Reconciles versions of one row (same clustering) from several sources. */
  mergeRows(rows: readonly Row[]): Row {
    let best = rows[0]!;
    let deletion = best.deletion;
    let shadowable = best.shadowable;
    for (let i = 1; i < rows.length; i++) {
      const r = rows[i]!;
      if (livenessSupersedes(r, best)) best = r;
      if (deletionSupersedes(r.deletion, deletion)) {
        deletion = r.deletion;
        shadowable = r.shadowable;
      } else if (r.deletion.markedForDeleteAt === deletion.markedForDeleteAt && !r.shadowable)
        shadowable = false;
    }
    // complex deletions: the strongest per column
    let complexDeletions: ComplexDeletion[] | null = null;
    for (const r of rows) {
      if (r.complexDeletions === null) continue;
      for (const cd of r.complexDeletions) {
        complexDeletions ??= [];
        const at = complexDeletions.findIndex((x) => x.column === cd.column);
        if (at < 0) complexDeletions.push(cd);
        else if (deletionSupersedes(cd.deletion, complexDeletions[at]!.deletion)) complexDeletions[at] = cd;
      }
    }
    return {
      kind: ROW,
      isStatic: rows[0]!.isStatic,
      clustering: rows[0]!.clustering,
      timestamp: best.timestamp,
      ttl: best.ttl,
      localExpirationTime: best.localExpirationTime,
      deletion,
      shadowable,
      cells: this.mergeCells(rows),
      complexDeletions,
      position: rows[0]!.position,
    };
  }

  /** Cells of several versions of a row: grouped by column, multi-cell columns merged by path order. */
  // scratch space of mergeCells, reused for every merged row (indexed by column id)
  private readonly simpleSlots: (Cell | undefined)[] = [];
  private readonly complexSlots: (Cell[] | undefined)[] = [];
  private readonly touched: number[] = [];

  private mergeCells(rows: readonly Row[]): Cell[] {
    const touched = this.touched;
    touched.length = 0;
    for (const r of rows) {
      for (const c of r.cells) {
        const column = c.column;
        if ((this.pathTypes[column] ?? null) === null) {
          const prev = this.simpleSlots[column];
          if (prev === undefined) {
            this.simpleSlots[column] = c;
            touched.push(column);
          } else this.simpleSlots[column] = cellReconcile(prev, c, this.now, this.counters[column] ?? false);
          continue;
        }
        const list = this.complexSlots[column];
        if (list === undefined) {
          this.complexSlots[column] = [c];
          touched.push(column);
        } else list.push(c);
      }
    }
    if (touched.length > 1) touched.sort((a, b) => a - b);
    const out: Cell[] = [];
    for (const column of touched) {
      const simple = this.simpleSlots[column];
      if (simple !== undefined) {
        out.push(simple);
        this.simpleSlots[column] = undefined;
        continue;
      }
      const cells = this.complexSlots[column]!;
      this.complexSlots[column] = undefined;
      const pathType = this.pathTypes[column]!;
      const counter = this.counters[column] ?? false;
      // stable sort by path keeps each source's order; equal paths are then adjacent
      cells.sort((a, b) => cqlCompare(pathType, a.path!, b.path!));
      let winner = cells[0]!;
      for (let i = 1; i < cells.length; i++) {
        const c = cells[i]!;
        if (cqlCompare(pathType, winner.path!, c.path!) === 0)
          winner = cellReconcile(winner, c, this.now, counter);
        else {
          out.push(winner);
          winner = c;
        }
      }
      out.push(winner);
    }
    return out;
  }
}

/** The type that orders a multi-cell column's cell paths, or null for a simple column. */
function cellPathType(t: CqlType): CqlType | null {
  switch (t.kind) {
    case 'list':
      return t.frozen ? null : { kind: 'native', name: 'timeuuid' };
    case 'set':
      return t.frozen ? null : t.element;
    case 'map':
      return t.frozen ? null : t.key;
    case 'udt':
      return t.frozen ? null : { kind: 'native', name: 'blob' };
    default:
      return null;
  }
}

/** The merge of one partition's unfiltereds across the sources that hold it. */
class PartitionMergeState {
  private readonly heads: (Unfiltered | null)[];
  private readonly open: DeletionTime[];
  private started = false;
  private finished = false;

  constructor(
    private readonly merger: PartitionMerger,
    private readonly members: readonly number[],
  ) {
    this.heads = new Array(members.length).fill(null);
    this.open = new Array(members.length).fill(LIVE);
  }

  async next(): Promise<MergedRow | null> {
    if (this.finished) return null;
    if (!this.started) {
      this.started = true;
      await Promise.all(this.members.map((_, i) => this.pull(i)));
    }
    const cmp = this.merger.comparator;
    for (;;) {
      let min: Unfiltered | null = null;
      for (const h of this.heads) if (h !== null && (min === null || cmp(h, min) < 0)) min = h;
      if (min === null) {
        await this.finish();
        return null;
      }
      if (min.kind === MARKER) {
        // apply every marker at this position, then look again
        for (let i = 0; i < this.heads.length; i++) {
          const h = this.heads[i]!;
          if (h !== null && h.kind === MARKER && cmp(h, min) === 0) {
            this.open[i] = boundIsEnd(h.boundKind) ? LIVE : h.deletion;
            await this.pull(i);
          }
        }
        continue;
      }
      const rows: Row[] = [];
      for (let i = 0; i < this.heads.length; i++) {
        const h = this.heads[i]!;
        if (h !== null && h.kind === ROW && cmp(h, min) === 0) {
          rows.push(h);
          await this.pull(i);
        }
      }
      let rangeDeletion = LIVE;
      for (const d of this.open) rangeDeletion = deletionMax(rangeDeletion, d);
      return { row: rows.length === 1 ? rows[0]! : this.merger.mergeRows(rows), rangeDeletion };
    }
  }

  /** Skips whatever is left (the consumer moved to the next partition) and advances the sources. */
  async drain(): Promise<void> {
    while (!this.finished) await this.next();
  }

  private async pull(i: number): Promise<void> {
    this.heads[i] = await this.merger.scanner(this.members[i]!).nextUnfiltered();
  }

  private async finish(): Promise<void> {
    this.finished = true;
    await Promise.all(this.members.map((s) => this.merger.advance(s)));
  }
}
