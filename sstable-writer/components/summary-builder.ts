/**
 * Summary.db: the sampled index summary, built as apache/cassandra
 * io/sstable/indexsummary/IndexSummaryBuilder.java builds it and serialized as IndexSummary.java
 * `IndexSummarySerializer` plus the first/last keys that SSTableReader (`saveSummary`) appends.
 *
 * At the default sampling level 128 (BASE_SAMPLING_LEVEL, i.e. full sampling) an entry is taken for the
 * Index.db entries 0, minIndexInterval, 2 × minIndexInterval, … (`setNextSamplePosition`; lower sampling
 * levels skip the Downsampling start points, also implemented here).
 *
 * Layout: `int minIndexInterval, int offsetCount, long offHeapSize, int samplingLevel, int
 * sizeAtFullSampling` (big-endian), then `offsetCount` little-endian int offsets (from the start of the
 * offsets array, so the first is `4 × offsetCount`), then the entries — key bytes followed by the
 * little-endian long Index.db position — and finally first and last key, each `int length` (big-endian)
 * + bytes. offHeapSize = 4 × offsetCount + entries length; sizeAtFullSampling = ceil(keys / interval).
 */
import { DatamoveError } from '../../core/index.js';
import { ByteWriter } from '../../reader/index.js';

/** Downsampling.BASE_SAMPLING_LEVEL. */
export const BASE_SAMPLING_LEVEL = 128;
/** The default min_index_interval of a table. */
export const DEFAULT_MIN_INDEX_INTERVAL = 128;

/** io/sstable/Downsampling.java `getSamplingPattern`: odds then evens, each ordered by the half-size pattern. */
function samplingPattern(samplingLevel: number): number[] {
  if (samplingLevel <= 1) return [0];
  const half = Math.trunc(samplingLevel / 2);
  const ordering = samplingPattern(half);
  const out: number[] = [];
  for (const i of ordering) out.push(2 * i + 1);
  for (const i of ordering) out.push(2 * i);
  return out;
}

/** Downsampling.getStartPoints(BASE_SAMPLING_LEVEL, samplingLevel): the indexes full sampling keeps but this level drops. */
function startPoints(currentSamplingLevel: number, newSamplingLevel: number): number[] {
  const all = samplingPattern(BASE_SAMPLING_LEVEL);
  const initialRound = BASE_SAMPLING_LEVEL - currentSamplingLevel;
  const numRounds = Math.abs(currentSamplingLevel - newSamplingLevel);
  const out: number[] = [];
  for (let i = 0; i < numRounds; i++) {
    const start = all[i + initialRound]!;
    let adjustment = 0;
    for (let j = 0; j < initialRound; j++) if (all[j]! < start) adjustment++;
    out.push(start - adjustment);
  }
  return out;
}

/** Incremental Summary.db builder: `add` every Index.db entry in order, then `serialize`. */
export class IndexSummaryBuilder {
  readonly minIndexInterval: number;
  readonly samplingLevel: number;
  private readonly startPoints: number[];
  private keysWritten = 0;
  private indexIntervalMatches = 1;
  private nextSamplePosition = 0;
  private readonly offsets: number[] = [];
  private readonly entries = new ByteWriter(4096);

  constructor(minIndexInterval = DEFAULT_MIN_INDEX_INTERVAL, samplingLevel = BASE_SAMPLING_LEVEL) {
    if (minIndexInterval < 1 || samplingLevel < 1 || samplingLevel > BASE_SAMPLING_LEVEL) {
      throw new DatamoveError(
        'InvalidArgument',
        `sstable: index summary interval ${minIndexInterval}, sampling level ${samplingLevel}`,
        { context: { minIndexInterval, samplingLevel } },
      );
    }
    this.minIndexInterval = minIndexInterval;
    this.samplingLevel = samplingLevel;
    this.startPoints =
      samplingLevel === BASE_SAMPLING_LEVEL ? [] : startPoints(BASE_SAMPLING_LEVEL, samplingLevel);
  }

  /** The number of Index.db entries added so far. */
  get keyCount(): number {
    return this.keysWritten;
  }

  /** The number of sampled entries so far. */
  get entryCount(): number {
    return this.offsets.length;
  }

  /** Adds the next Index.db entry: the partition key and the entry's offset in Index.db. */
  add(key: Uint8Array, indexPosition: number | bigint): void {
    if (this.keysWritten === this.nextSamplePosition) {
      if (this.entries.length + key.length + 8 <= 0x7fffffff) {
        this.offsets.push(this.entries.length);
        this.entries.bytes(key);
        this.entries.i64le(BigInt(indexPosition));
        this.setNextSamplePosition(this.keysWritten);
      }
    }
    this.keysWritten++;
  }

  private setNextSamplePosition(from: number): void {
    let position = from;
    for (;;) {
      position += this.minIndexInterval;
      const test = this.indexIntervalMatches++;
      if (this.startPoints.some((s) => (test - s) % BASE_SAMPLING_LEVEL === 0)) continue;
      this.nextSamplePosition = position;
      return;
    }
  }

  /** Summary.db bytes, with the sstable's first and last partition keys. */
  serialize(firstKey: Uint8Array, lastKey: Uint8Array): Uint8Array {
    if (this.offsets.length === 0) {
      throw new DatamoveError('InvalidArgument', 'sstable: an index summary needs at least one key', {});
    }
    const count = this.offsets.length;
    const entries = this.entries.finish();
    const w = new ByteWriter(24 + count * 4 + entries.length + firstKey.length + lastKey.length + 8);
    w.i32(this.minIndexInterval);
    w.i32(count);
    w.i64(BigInt(count * 4 + entries.length));
    w.i32(this.samplingLevel);
    w.i32(Math.ceil(this.keysWritten / this.minIndexInterval));
    for (const o of this.offsets) w.i32le(o + count * 4);
    w.bytes(entries);
    w.i32(firstKey.length).bytes(firstKey);
    w.i32(lastKey.length).bytes(lastKey);
    return w.finish();
  }
}
