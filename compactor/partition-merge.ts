/**
 * Streaming k-way merge of SSTable scans, the way Cassandra's read path merges memtables and SSTables
 * (db/rows/UnfilteredRowIterators.java `merge`, db/partitions/UnfilteredPartitionIterators.java):
 * partitions by (token, key), then within a partition rows and range tombstone markers by clustering,
 * then cells by column and path. Nothing is buffered beyond one unfiltered per source.
 *
 * The merged stream hands out each clustering position once, with the deletion that covers it: the
 * partition deletion, the range tombstones open at that point in any source, and the row's own deletion.
 *
 * Pulls are synchronous (`tryNextPartition` / `tryNextRow`) while the sources have their bytes in memory;
 * only when one returns NOT_READY does the caller `await ready()` (which brings in that source's next
 * chunk) and call again. A head consumed by the merge is marked and pulled lazily at the next call, so a
 * call that stops for bytes leaves nothing half-done and simply resumes. The promise-returning
 * `nextPartition` / `nextRow` remain for callers that do not care (tests, validation).
 */

import type { CqlType, Partitioner, TableModel, Token } from '../reader/index.js';
import {
  boundIsEnd,
  type Cell,
  type ComplexDeletion,
  cqlCompare,
  type DeletionTime,
  LIVE,
  MARKER,
  NOT_READY,
  type NotReady,
  type PartitionStream,
  partitionStreamSync,
  ROW,
  type Row,
  type SyncPartitionStream,
  type Unfiltered,
} from '../reader/index.js';
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
  /** As `nextRow`, or NOT_READY: then `await` the merger's `ready()` and call again. */
  tryNextRow(): MergedRow | null | NotReady;
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
  private readonly streams: SyncPartitionStream[];
  /** Each source's current partition; undefined once the source is exhausted. */
  private readonly heads: (Head | undefined)[];
  /** Sources whose head was consumed and must be advanced before the next partition is chosen. */
  private readonly stale: boolean[];
  /** The sources whose last synchronous pull returned NOT_READY: what `ready()` waits for. */
  private waiting: SyncPartitionStream[] = [];
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
    this.streams = sources.map((s) => partitionStreamSync(s.scanner));
    this.heads = new Array(sources.length).fill(undefined);
    this.stale = new Array(sources.length).fill(true);
    this.compare = clusteringComparator(clusteringTypes);
    this.pathTypes = model.columns.map((c) => cellPathType(c.type));
    this.counters = model.columns.map((c) => isCounter(c.type));
  }

  async nextPartition(): Promise<MergedPartition | undefined> {
    for (;;) {
      const p = this.tryNextPartition();
      if (p !== NOT_READY) return p;
      await this.ready();
    }
  }

  /** Waits until the pull that returned NOT_READY can make progress (every source it waited on, at once). */
  ready(): Promise<void> {
    const w = this.waiting;
    this.waiting = [];
    if (w.length === 0) return Promise.resolve();
    if (w.length === 1) return w[0]!.ready();
    return Promise.all(w.map((s) => s.ready())).then(() => undefined);
  }

  /** The next merged partition (the current one's rest is skipped), undefined at the end, or NOT_READY. */
  tryNextPartition(): MergedPartition | undefined | NotReady {
    if (this.current !== undefined) {
      if (this.current.tryDrain() === NOT_READY) return NOT_READY;
      this.current = undefined;
    }
    const heads = this.heads;
    for (let i = 0; i < heads.length; i++) {
      if (!this.stale[i]) continue;
      const p = this.streams[i]!.tryNextPartition();
      if (p === NOT_READY) {
        this.wait(this.streams[i]!);
        continue;
      }
      this.stale[i] = false;
      heads[i] =
        p === undefined
          ? undefined
          : {
              source: i,
              key: p.key,
              token: this.partitioner.tokenOf(p.key),
              deletion: p.deletion,
              staticRow: p.staticRow,
            };
    }
    if (this.waiting.length > 0) return NOT_READY;
    let min: Head | undefined;
    let count = 0;
    for (const h of heads) {
      if (h === undefined) continue;
      const c = min === undefined ? -1 : this.comparePartitions(h, min);
      if (c < 0) {
        min = h;
        count = 1;
      } else if (c === 0) count++;
    }
    if (min === undefined) return undefined;
    let state: PartitionMergeState;
    if (count === 1) {
      // one source holds the partition: nothing to reconcile at the partition level
      const deletion = deletionMax(LIVE, min.deletion);
      state = new PartitionMergeState(this, [min.source], min.key, min.token, deletion, min.staticRow);
    } else {
      const members: number[] = [];
      let deletion: DeletionTime = LIVE;
      const statics: Row[] = [];
      for (const h of heads) {
        if (h === undefined || this.comparePartitions(h, min) !== 0) continue;
        members.push(h.source);
        deletion = deletionMax(deletion, h.deletion);
        if (h.staticRow !== null) statics.push(h.staticRow);
      }
      const staticRow =
        statics.length === 0 ? null : statics.length === 1 ? statics[0]! : this.mergeRows(statics);
      state = new PartitionMergeState(this, members, min.key, min.token, deletion, staticRow);
    }
    this.current = state;
    return state;
  }

  /** Called by the partition state when it is done with a source's partition: advanced at the next call. */
  release(source: number): void {
    this.stale[source] = true;
  }

  /** Source `source`'s stream. */
  stream(source: number): SyncPartitionStream {
    return this.streams[source]!;
  }

  /**
   * Records a source whose pull returned NOT_READY, once: a caller that leaves a partition stopped for bytes
   * and asks for the next one meets the same source again, and a source must not fill twice at once.
   */
  wait(stream: SyncPartitionStream): void {
    if (!this.waiting.includes(stream)) this.waiting.push(stream);
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

/** Marks a head consumed by the merge: the source's next unfiltered is pulled at the next call. */
const PULL: unique symbol = Symbol('PULL');

/** The merge of one partition's unfiltereds across the sources that hold it. */
class PartitionMergeState implements MergedPartition {
  private readonly streams: SyncPartitionStream[];
  private readonly heads: (Unfiltered | null | typeof PULL)[];
  private readonly open: DeletionTime[];
  private finished = false;
  readonly sourceCount: number;

  constructor(
    private readonly merger: PartitionMerger,
    private readonly members: readonly number[],
    readonly key: Uint8Array,
    readonly token: Token,
    readonly deletion: DeletionTime,
    readonly staticRow: Row | null,
  ) {
    this.sourceCount = members.length;
    this.streams = members.map((m) => merger.stream(m));
    this.heads = new Array(members.length).fill(PULL);
    this.open = new Array(members.length).fill(LIVE);
  }

  async nextRow(): Promise<MergedRow | null> {
    for (;;) {
      const r = this.tryNextRow();
      if (r !== NOT_READY) return r;
      await this.merger.ready();
    }
  }

  tryNextRow(): MergedRow | null | NotReady {
    if (this.finished) return null;
    if (this.streams.length === 1) return this.nextSingle();
    const heads = this.heads;
    const cmp = this.merger.comparator;
    for (;;) {
      let waiting = false;
      for (let i = 0; i < heads.length; i++) {
        if (heads[i] !== PULL) continue;
        const u = this.streams[i]!.tryNextUnfiltered();
        if (u === NOT_READY) {
          this.merger.wait(this.streams[i]!);
          waiting = true;
        } else heads[i] = u;
      }
      if (waiting) return NOT_READY;
      let min: Unfiltered | null = null;
      for (const h of heads) {
        if (h !== null && h !== PULL && (min === null || cmp(h, min) < 0)) min = h;
      }
      if (min === null) {
        this.finish();
        return null;
      }
      if (min.kind === MARKER) {
        // apply every marker at this position, then look again
        for (let i = 0; i < heads.length; i++) {
          const h = heads[i]!;
          if (h !== null && h !== PULL && h.kind === MARKER && cmp(h, min) === 0) {
            this.open[i] = boundIsEnd(h.boundKind) ? LIVE : h.deletion;
            heads[i] = PULL;
          }
        }
        continue;
      }
      let first: Row | undefined;
      let rows: Row[] | undefined;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i]!;
        if (h !== null && h !== PULL && h.kind === ROW && cmp(h, min) === 0) {
          if (first === undefined) first = h;
          else {
            rows ??= [first];
            rows.push(h);
          }
          heads[i] = PULL;
        }
      }
      let rangeDeletion = LIVE;
      for (const d of this.open) rangeDeletion = deletionMax(rangeDeletion, d);
      return { row: rows === undefined ? first! : this.merger.mergeRows(rows), rangeDeletion };
    }
  }

  /** One source: its unfiltereds as they come, markers only tracked (nothing to compare or reconcile). */
  private nextSingle(): MergedRow | null | NotReady {
    const s = this.streams[0]!;
    for (;;) {
      const u = s.tryNextUnfiltered();
      if (u === NOT_READY) {
        this.merger.wait(s);
        return NOT_READY;
      }
      if (u === null) {
        this.finish();
        return null;
      }
      if (u.kind === ROW) return { row: u, rangeDeletion: deletionMax(LIVE, this.open[0]!) };
      this.open[0] = boundIsEnd(u.boundKind) ? LIVE : u.deletion;
    }
  }

  /** Skips whatever is left (the consumer moved to the next partition); NOT_READY when bytes are missing. */
  tryDrain(): undefined | NotReady {
    while (!this.finished) if (this.tryNextRow() === NOT_READY) return NOT_READY;
    return undefined;
  }

  private finish(): void {
    this.finished = true;
    for (const m of this.members) this.merger.release(m);
  }
}
