/**
 * Restored partitions → `nb` SSTables, one set per token range of a topology (or one set): partitions
 * arrive in token order and flow straight into the writer of their range (at most two writers are open:
 * the current range and the wrapping first range), so memory stays at a few chunks per open writer.
 * Every SSTable of one writer has the same generation: an SSTable restore runs one writer per compaction
 * task (sstable-task-sink.ts, in the task's worker) with the task's own generation, so the tasks of one
 * range write separate SSTables side by side in the range's folder; Cassandra takes several per table.
 *
 * What is written (a restore must never overwrite newer data in a live cluster): every cell live at T with
 * its ORIGINAL write timestamp, TTL and local expiration time (expiring cells expire in the target cluster
 * when they would have), row markers live at T with their original timestamp and TTL, static cells once
 * per partition. Cells already expired at T and every tombstone (partition, range, row, cell and collection
 * deletions) are purged: they only delete, and the data they shadowed is not in the output either.
 *
 * Folder layout (what `nodetool import <dir>` and `sstableloader <dir>` take): `<root>/<keyspace>/<table>-<id>/`
 * with a `schema.cql` (the table as of T), or with a topology `<root>/range-<NNNN>/<keyspace>/<table>-<id>/`
 * per range that holds data.
 */
import { join } from 'node:path';
import type { LiveRow } from '../../compactor/index.js';
import type { TableModel } from '../../reader/index.js';
import {
  type Cell,
  LIVE,
  Murmur3Token,
  murmur3Partitioner,
  murmur3Token,
  NO_DELETION_TIME,
  NO_TIMESTAMP,
  NO_TTL,
  ROW,
  type Row,
} from '../../reader/index.js';
import { SSTableWriter, type WriterCompression } from '../../sstable-writer/index.js';
import { localSinkDirectory } from '../../storage/index.js';
import { type Topology, type TopologyRange, topologyRangeOf } from './tokenmap.js';

export interface WrittenSet {
  /** Folder relative to the root. */
  readonly folder: string;
  readonly range?: { readonly start: string; readonly end: string; readonly node: string };
  /** SSTable generations in the folder (`nb-<generation>-big-*`), in token order. */
  readonly generations: readonly number[];
  readonly partitions: number;
  readonly rows: number;
  readonly files: readonly { readonly name: string; readonly size: number }[];
}

interface OpenSet {
  readonly range: TopologyRange | undefined;
  readonly folder: string;
  readonly writer: SSTableWriter;
  rows: number;
}

const encoder = new TextEncoder();

export class SSTableSetWriter {
  private readonly open = new Map<number, OpenSet>();
  private readonly written: WrittenSet[] = [];
  private key: Uint8Array | undefined;
  private current: OpenSet | undefined;
  private readonly tok = new Murmur3Token();
  private readonly staticIds: number[];
  private readonly regularIds: number[];

  constructor(
    private readonly root: string,
    private readonly model: TableModel,
    private readonly tableDir: string,
    /** Written as `schema.cql` into each set's folder; undefined: the caller writes it. */
    private readonly schemaCql: string | undefined,
    private readonly topology: Topology | undefined,
    private readonly compression: WriterCompression = 'lz4',
    private readonly generation = 1,
  ) {
    this.staticIds = model.columns.filter((c) => !c.hidden && c.kind === 'static').map((c) => c.id);
    this.regularIds = model.columns.filter((c) => !c.hidden && c.kind === 'regular').map((c) => c.id);
  }

  /** Adds one live row (rows of a partition arrive together, partitions in token order). */
  async add(row: LiveRow): Promise<void> {
    if (this.key === undefined || !sameBytes(this.key, row.key)) {
      await this.partitionEnd();
      this.key = row.key;
      this.current = await this.setFor(row.key);
      const statics = this.cellsOf(row, this.staticIds);
      this.current.writer.begin(
        row.key,
        LIVE,
        statics.length === 0 ? null : rowOf(true, [], statics, undefined),
      );
    }
    if (row.clustering === null) return;
    this.current!.writer.add(
      rowOf(false, row.clustering as Uint8Array[], this.cellsOf(row, this.regularIds), row.marker),
    );
    this.current!.rows++;
    if ((this.current!.rows & 1023) === 0) await this.current!.writer.flush();
  }

  /** Ends the last partition and completes every open set. */
  async finish(): Promise<WrittenSet[]> {
    await this.partitionEnd();
    for (const index of [...this.open.keys()]) await this.close(index);
    return this.written.sort((a, b) => (a.folder < b.folder ? -1 : 1));
  }

  async abort(): Promise<void> {
    for (const s of this.open.values()) await s.writer.abort().catch(() => {});
    this.open.clear();
  }

  private async partitionEnd(): Promise<void> {
    if (this.current === undefined) return;
    await this.current.writer.end();
    this.current = undefined;
  }

  private async setFor(key: Uint8Array): Promise<OpenSet> {
    let range: TopologyRange | undefined;
    if (this.topology !== undefined) {
      murmur3Token(key, this.tok);
      range = topologyRangeOf(this.topology, this.tok.toBigInt());
    }
    const index = range?.index ?? 0;
    const existing = this.open.get(index);
    if (existing !== undefined) return existing;
    // token order: a new non-wrapping range means every earlier one is complete
    for (const i of [...this.open.keys()]) if (i !== 0) await this.close(i);
    const folder =
      range === undefined
        ? `${this.model.keyspace}/${this.tableDir}`
        : `range-${String(range.index).padStart(4, '0')}/${this.model.keyspace}/${this.tableDir}`;
    const dir = await localSinkDirectory(join(this.root, ...folder.split('/')));
    const writer = await SSTableWriter.create(dir, this.model, {
      version: 'nb',
      generation: this.generation,
      compression: this.compression,
      partitioner: murmur3Partitioner,
    });
    if (this.schemaCql !== undefined) await dir.writeAll('schema.cql', encoder.encode(this.schemaCql));
    const set: OpenSet = { range, folder, writer, rows: 0 };
    this.open.set(index, set);
    return set;
  }

  private async close(index: number): Promise<void> {
    const s = this.open.get(index)!;
    this.open.delete(index);
    const w = await s.writer.finish();
    this.written.push({
      folder: s.folder,
      ...(s.range === undefined
        ? {}
        : { range: { start: s.range.start.toString(), end: s.range.end.toString(), node: s.range.node } }),
      generations: [this.generation],
      partitions: w.partitions,
      rows: s.rows,
      files:
        this.schemaCql === undefined
          ? w.files
          : [...w.files, { name: 'schema.cql', size: encoder.encode(this.schemaCql).length }],
    });
  }

  private cellsOf(row: LiveRow, ids: readonly number[]): Cell[] {
    const out: Cell[] = [];
    for (const id of ids) {
      const v = row.values[id];
      if (v === undefined) continue;
      if (Array.isArray(v)) out.push(...v);
      else out.push(v);
    }
    return out;
  }
}

function rowOf(isStatic: boolean, clustering: Uint8Array[], cells: Cell[], marker: Row | undefined): Row {
  return {
    kind: ROW,
    isStatic,
    clustering,
    timestamp: marker?.timestamp ?? NO_TIMESTAMP,
    ttl: marker?.ttl ?? NO_TTL,
    localExpirationTime: marker?.localExpirationTime ?? NO_DELETION_TIME,
    deletion: LIVE,
    shadowable: false,
    cells,
    complexDeletions: null,
    position: 0,
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
