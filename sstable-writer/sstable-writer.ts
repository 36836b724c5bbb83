/**
 * Writes one SSTable in the big format (`nb` for Cassandra 4.0/4.1 and 5.0, `mc` for 3.11) with every
 * component Cassandra needs to load it through `nodetool import` or sstableloader: Data.db,
 * CompressionInfo.db (or CRC.db), Index.db, Summary.db, Filter.db, Statistics.db, Digest.crc32, TOC.txt.
 *
 * Partitions arrive in token order through `begin` / `add` / `end`; Data.db and Index.db stream to their
 * sinks, so memory stays at a few chunks whatever the partition sizes. The other components are small and
 * are written by `finish`. Files appear under their final names only when complete.
 */

import type { ColumnInfo, DeletionTime, Row, Unfiltered } from '../reader/index.js';
import {
  ByteWriter,
  componentFile,
  compressorForClass,
  cqlTypeToMarshal,
  cqlValueFixedLength,
  DELETION_TIME_EPOCH,
  type EncodingStats,
  murmur3Partitioner,
  type Partitioner,
  type SSTableDescriptor,
  type SSTableVersion,
  sortColumns,
  sstableVersion,
  type TableModel,
  TIMESTAMP_EPOCH,
  TTL_EPOCH,
} from '../reader/index.js';
import type { ByteSink, SinkDirectory } from '../storage/index.js';
import { DataFileWriter } from './data-file-writer.js';
import { type IndexEntry, PartitionSerializer } from './partition-serializer.js';
import { WriterStatsCollector } from './sstable-components.js';

export type WriterCompression = 'lz4' | 'zstd' | 'snappy' | 'deflate' | 'none';

const COMPRESSOR_CLASS: Record<Exclude<WriterCompression, 'none'>, string> = {
  lz4: 'LZ4Compressor',
  zstd: 'ZstdCompressor',
  snappy: 'SnappyCompressor',
  deflate: 'DeflateCompressor',
};

export interface SSTableWriterOptions {
  /** `nb` (default) or `mc`. */
  readonly version?: 'nb' | 'mc';
  readonly generation: number | string;
  readonly compression?: WriterCompression;
  /** Uncompressed chunk length (default 16 KiB for nb, 64 KiB for mc, as Cassandra's defaults). */
  readonly chunkLength?: number;
  /** column_index_size (default 64 KiB). */
  readonly columnIndexSize?: number;
  readonly partitioner?: Partitioner;
  /** Minimums the Data.db deltas are relative to; Cassandra's "no stats" epochs when omitted. */
  readonly stats?: EncodingStats;
  readonly bloomFilterFpChance?: number;
  /** Columns in the header (table column ids); default every column of the table. */
  readonly columns?: readonly number[];
  /** Originating host id recorded in Statistics.db (`me`/`nb`). */
  readonly hostId?: string;
}

export const NO_STATS: EncodingStats = Object.freeze({
  minTimestamp: TIMESTAMP_EPOCH,
  minLocalDeletionTime: DELETION_TIME_EPOCH,
  minTTL: TTL_EPOCH,
});

export interface WrittenSSTable {
  readonly descriptor: SSTableDescriptor;
  readonly files: readonly { name: string; size: number }[];
  readonly partitions: number;
  readonly dataLength: number;
}

export class SSTableWriter {
  private readonly data: DataFileWriter;
  private readonly serializer: PartitionSerializer;
  private readonly index = new ByteWriter(64 * 1024);
  private indexLength = 0;
  private readonly collector: WriterStatsCollector;
  private partitions = 0;
  private partitionStart = 0;
  private lastKey: Uint8Array | null = null;

  private constructor(
    private readonly dir: SinkDirectory,
    readonly descriptor: SSTableDescriptor,
    readonly version: SSTableVersion,
    private readonly model: TableModel,
    private readonly layout: {
      staticColumns: ColumnInfo[];
      regularColumns: ColumnInfo[];
      clusteringFixedLengths: number[];
    },
    private readonly options: SSTableWriterOptions & {
      compression: WriterCompression;
      chunkLength: number;
      stats: EncodingStats;
    },
    private readonly dataSink: ByteSink,
    private readonly indexSink: ByteSink,
  ) {
    const codec =
      options.compression === 'none'
        ? null
        : compressorForClass(COMPRESSOR_CLASS[options.compression]).compressor;
    this.data = new DataFileWriter(
      dataSink,
      options.chunkLength,
      codec,
      version.maxCompressedLength ? 2147483647 : Number.POSITIVE_INFINITY,
    );
    this.serializer = new PartitionSerializer(
      {
        version,
        clusteringFixedLengths: layout.clusteringFixedLengths,
        staticColumns: layout.staticColumns,
        regularColumns: layout.regularColumns,
        stats: options.stats,
        columnIndexSize: options.columnIndexSize ?? 64 * 1024,
      },
      this.data,
    );
    this.collector = new WriterStatsCollector(
      version,
      model.clustering.map((c) => cqlTypeToMarshal(c.type)),
      options.hostId === undefined ? null : uuidBytes(options.hostId),
    );
  }

  static async create(
    dir: SinkDirectory,
    model: TableModel,
    options: SSTableWriterOptions,
  ): Promise<SSTableWriter> {
    const versionName = options.version ?? 'nb';
    const descriptor: SSTableDescriptor = {
      prefix: `${versionName}-${options.generation}-big`,
      version: versionName,
      generation: String(options.generation),
      format: 'big',
    };
    const version = sstableVersion(versionName, 'big', descriptor.prefix);
    const ids = options.columns ?? model.columns.filter((c) => !c.hidden || c.name === '').map((c) => c.id);
    const info = (id: number): ColumnInfo => {
      const c = model.columns[id]!;
      return {
        id,
        name: c.name,
        type: c.type,
        complex: c.complex,
        valueFixedLength: c.complex ? -1 : cqlValueFixedLength(c.type),
      };
    };
    const order = (cols: ColumnInfo[]): ColumnInfo[] => sortColumns(cols);
    const staticColumns = order(ids.filter((id) => model.columns[id]!.kind === 'static').map(info));
    const regularColumns = order(ids.filter((id) => model.columns[id]!.kind === 'regular').map(info));
    const clusteringFixedLengths = model.clustering.map((c) => cqlValueFixedLength(c.type));
    const resolved = {
      ...options,
      compression: options.compression ?? 'lz4',
      chunkLength: options.chunkLength ?? (versionName === 'mc' ? 64 * 1024 : 16 * 1024),
      stats: options.stats ?? NO_STATS,
    };
    const dataSink = await dir.create(componentFile(descriptor, 'Data.db'));
    const indexSink = await dir.create(componentFile(descriptor, 'Index.db'));
    return new SSTableWriter(
      dir,
      descriptor,
      version,
      model,
      { staticColumns, regularColumns, clusteringFixedLengths },
      resolved,
      dataSink,
      indexSink,
    );
  }

  /** Starts a partition (keys must arrive in token order). */
  begin(key: Uint8Array, deletion: DeletionTime, staticRow: Row | null): void {
    this.partitionStart = this.data.position;
    this.serializer.begin(key, deletion, staticRow);
    this.collector.partitionStart(key, deletion, staticRow);
    this.lastKey = key;
  }

  add(u: Unfiltered): void {
    this.serializer.add(u);
    this.collector.unfiltered(u);
  }

  /** Ends the partition; awaits the sinks when enough bytes are waiting. */
  async end(): Promise<void> {
    const entry = this.serializer.end();
    this.collector.partitionEnd(this.data.position - this.partitionStart);
    this.writeIndexEntry(entry);
    this.partitions++;
    if (this.data.pending >= 1 << 20) await this.data.drain();
    if (this.index.pos >= 1 << 20) {
      const bytes = this.index.take();
      this.indexLength += bytes.length;
      await this.indexSink.write(bytes);
    }
  }

  /** Drains buffered output (call now and then inside a huge partition). */
  async flush(): Promise<void> {
    if (this.data.pending > 0) await this.data.drain();
  }

  private writeIndexEntry(e: IndexEntry): void {
    const w = this.index;
    const at = this.indexLength + w.pos;
    w.u16(e.key.length);
    w.bytes(e.key);
    w.unsignedVInt(e.position);
    if (e.promotedIndex === null) w.unsignedVInt(0);
    else {
      w.unsignedVInt(e.promotedIndex.length);
      w.bytes(e.promotedIndex);
    }
    this.collector.indexEntry(e.key, at);
  }

  /** Completes every component and returns the written files. */
  async finish(): Promise<WrittenSSTable> {
    const { dataLength, fileLength, digest } = await this.data.finish();
    const tail = this.index.take();
    this.indexLength += tail.length;
    await this.indexSink.write(tail);
    await this.indexSink.close();
    if (this.options.compression !== 'none') this.collector.setCompressionRatio(fileLength, dataLength);
    const components = this.collector.components({
      version: this.version,
      model: this.model,
      staticColumns: this.layout.staticColumns,
      regularColumns: this.layout.regularColumns,
      encodingStats: this.options.stats,
      partitioner: this.options.partitioner ?? murmur3Partitioner,
      bloomFilterFpChance: this.options.bloomFilterFpChance ?? 0.01,
      compression:
        this.options.compression === 'none'
          ? null
          : {
              compressorClass: COMPRESSOR_CLASS[this.options.compression],
              options: this.options.compression === 'zstd' ? { compression_level: '3' } : {},
              chunkLength: this.options.chunkLength,
              dataLength,
              chunkOffsets: this.data.chunkOffsets,
            },
      chunkCrcs:
        this.options.compression === 'none'
          ? { chunkLength: this.options.chunkLength, crcs: this.data.chunkCrcs }
          : null,
      marshal: cqlTypeToMarshal,
    });
    const files: { name: string; size: number }[] = [
      { name: componentFile(this.descriptor, 'Data.db'), size: fileLength },
      { name: componentFile(this.descriptor, 'Index.db'), size: this.indexLength },
    ];
    for (const [component, bytes] of components) {
      await this.dir.writeAll(componentFile(this.descriptor, component), bytes);
      files.push({ name: componentFile(this.descriptor, component), size: bytes.length });
    }
    const digestBytes = new TextEncoder().encode(String(digest));
    await this.dir.writeAll(componentFile(this.descriptor, 'Digest.crc32'), digestBytes);
    files.push({ name: componentFile(this.descriptor, 'Digest.crc32'), size: digestBytes.length });
    const toc = new TextEncoder().encode(
      `${[...files.map((f) => f.name.slice(this.descriptor.prefix.length + 1)), 'TOC.txt'].join('\n')}\n`,
    );
    await this.dir.writeAll(componentFile(this.descriptor, 'TOC.txt'), toc);
    files.push({ name: componentFile(this.descriptor, 'TOC.txt'), size: toc.length });
    return { descriptor: this.descriptor, files, partitions: this.partitions, dataLength };
  }

  async abort(): Promise<void> {
    await this.dataSink.abort();
    await this.indexSink.abort();
  }

  /** Partitions written so far. */
  get partitionCount(): number {
    return this.partitions;
  }

  get lastPartitionKey(): Uint8Array | null {
    return this.lastKey;
  }
}

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
