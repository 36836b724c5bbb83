/**
 * Opening one SSTable: its TOC, Statistics.db (partitioner and serialization header), CompressionInfo.db
 * or CRC.db, Digest.crc32, and Data.db as a chunk source; then scanning it. Index.db/Summary.db are opened
 * on demand through the `PartitionIndex` interface (see index/), which the BTI format will implement too.
 */
import { DatamoveError } from '../../core/index.js';
import type { ByteSource, ByteSourceDirectory } from '../../storage/index.js';
import { decodeUtf8 } from '../bytes/cursor.js';
import { compressorForClass } from '../codec/compressor.js';
import { type Partitioner, partitionerForClass } from '../partitioner/partitioner.js';
import {
  type ChunkSource,
  ChunkStream,
  compressedChunkSource,
  uncompressedChunkSource,
} from './chunk-source.js';
import { type CompressionInfo, compressionInfoParse } from './compression-info.js';
import { componentFile, type SSTableDescriptor } from './descriptor.js';
import { bigPartitionIndex } from './index/big-partition-index.js';
import type { PartitionIndex } from './index/partition-index.js';
import { type IndexSummary, summaryParse } from './index/summary.js';
import { SSTableScanner } from './scanner.js';
import { type SSTableStatistics, statisticsParse } from './statistics.js';
import { headerLayout, type TableModel, tableModelFromHeader } from './table-model.js';
import { tocParse } from './toc.js';
import { type HeaderLayout, UnfilteredDecoder } from './unfiltered.js';
import { type SSTableVersion, sstableVersion } from './version.js';

export interface SSTableOpenOptions {
  /** Verify chunk CRCs and the Digest.crc32 of whole-file scans (default true). */
  readonly verifyChecksums?: boolean;
  /** Bytes of Data.db to read ahead (default 1 MiB). */
  readonly readAheadBytes?: number;
}

export interface SSTable {
  readonly descriptor: SSTableDescriptor;
  readonly version: SSTableVersion;
  /** Data.db's name in its directory. */
  readonly dataFile: string;
  readonly components: readonly string[];
  readonly statistics: SSTableStatistics;
  readonly partitioner: Partitioner;
  readonly compression: CompressionInfo | undefined;
  readonly layout: HeaderLayout;
  readonly model: TableModel;
  /** Length of the uncompressed partition data. */
  readonly dataLength: number;
  readonly chunks: ChunkSource;
  /** Scans `[start, end)` of the uncompressed data (partition boundaries; default the whole file). */
  scan(start?: number, end?: number): SSTableScanner;
  /** The partition index (Index.db + Summary.db), opened on first use. */
  partitionIndex(): Promise<PartitionIndex>;
  close(): Promise<void>;
}

/**
 * Opens an SSTable. `model` is the table (from schema.cql) the SSTable belongs to; without one, the table is
 * derived from this SSTable's header.
 */
export async function sstableOpen(
  dir: ByteSourceDirectory,
  descriptor: SSTableDescriptor,
  model: TableModel | undefined,
  options: SSTableOpenOptions = {},
): Promise<SSTable> {
  const file = (component: string): string => componentFile(descriptor, component);
  const path = (component: string): string => `${dir.name}/${file(component)}`;
  const version = sstableVersion(descriptor.version, descriptor.format, path('Data.db'));
  const verify = options.verifyChecksums ?? true;

  const tocBytes = await dir.readAll(file('TOC.txt'));
  const listed = tocBytes ? tocParse(tocBytes) : undefined;
  const present = new Set(
    (await dir.list())
      .filter((f) => f.startsWith(`${descriptor.prefix}-`))
      .map((f) => f.slice(descriptor.prefix.length + 1)),
  );
  const components = listed ?? [...present].sort();
  const missing = (component: string, why: string): DatamoveError =>
    new DatamoveError('NotFound', `sstable: ${path(component)}: missing component (${why})`, {
      context: { file: path(component) },
    });
  for (const required of ['Data.db', 'Statistics.db']) {
    if (!present.has(required))
      throw missing(
        required,
        listed?.includes(required) ? 'listed in TOC.txt' : 'required to read the SSTable',
      );
  }
  const compressed = present.has('CompressionInfo.db') || (listed?.includes('CompressionInfo.db') ?? false);
  if (compressed && !present.has('CompressionInfo.db'))
    throw missing('CompressionInfo.db', 'listed in TOC.txt');

  const statsBytes = (await dir.readAll(file('Statistics.db')))!;
  const statistics = statisticsParse(statsBytes, version, path('Statistics.db'));
  const partitioner = partitionerForClass(statistics.partitioner);
  const tableModel = model ?? tableModelFromHeader(statistics.header);
  const layout = headerLayout(tableModel, statistics.header, path('Data.db'));

  let digest: number | undefined;
  if (verify && present.has('Digest.crc32')) {
    const text = decodeUtf8((await dir.readAll(file('Digest.crc32')))!).trim();
    if (!/^\d+$/.test(text)) {
      throw new DatamoveError(
        'DataInvalid',
        `sstable: ${path('Digest.crc32')}: not a CRC32 value: '${text.slice(0, 40)}'`,
        {
          context: { file: path('Digest.crc32') },
        },
      );
    }
    digest = Number(text) >>> 0;
  }

  const source: ByteSource = await dir.open(file('Data.db'));
  let compression: CompressionInfo | undefined;
  let chunks: ChunkSource;
  if (compressed) {
    compression = compressionInfoParse(
      (await dir.readAll(file('CompressionInfo.db')))!,
      version,
      path('CompressionInfo.db'),
    );
    const { decompressor } = compressorForClass(compression.compressorClass);
    chunks = compressedChunkSource(source, compression, decompressor, {
      verifyChecksums: verify,
      ...(digest === undefined ? {} : { digest }),
    });
  } else {
    const crc = present.has('CRC.db') ? await dir.readAll(file('CRC.db')) : undefined;
    chunks = uncompressedChunkSource(source, crc, {
      verifyChecksums: verify,
      ...(digest === undefined ? {} : { digest }),
    });
  }
  const decoder = new UnfilteredDecoder(layout, version, path('Data.db'));
  const readAhead = options.readAheadBytes ?? 1 << 20;
  let index: Promise<PartitionIndex> | undefined;
  const toClose: ByteSource[] = [source];
  const openIndex = async (): Promise<PartitionIndex> => {
    if (!present.has('Index.db')) throw missing('Index.db', 'needed to seek by token');
    const indexSource = await dir.open(file('Index.db'));
    toClose.push(indexSource);
    let summary: IndexSummary | undefined;
    if (present.has('Summary.db'))
      summary = summaryParse((await dir.readAll(file('Summary.db')))!, path('Summary.db'));
    return bigPartitionIndex(indexSource, summary, partitioner, chunks.length);
  };
  return {
    descriptor,
    version,
    dataFile: file('Data.db'),
    components,
    statistics,
    partitioner,
    compression,
    layout,
    model: tableModel,
    dataLength: chunks.length,
    chunks,
    scan(start = 0, end = chunks.length) {
      return new SSTableScanner(
        new ChunkStream(chunks, start, end, readAhead),
        decoder,
        path('Data.db'),
        start,
        end,
      );
    },
    partitionIndex: () => (index ??= openIndex()),
    close: async () => {
      await Promise.all(toClose.map((s) => s.close?.()));
    },
  };
}
