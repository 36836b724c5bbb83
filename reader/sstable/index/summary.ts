/**
 * Summary.db (io/sstable/indexsummary/IndexSummary.java `IndexSummarySerializer`): a sample of Index.db.
 * `int minIndexInterval, int offsetCount, long offHeapSize, int samplingLevel, int sizeAtFullSampling`,
 * then `offsetCount` offsets and the entries they point at — both in the writer's native byte order
 * (little-endian on every platform Cassandra runs on): each entry is the key bytes followed by an 8-byte
 * Index.db position. The first and last keys of the SSTable follow, each as `int length, bytes`.
 */
import { DatamoveError } from '../../../core/index.js';

export interface SummaryEntry {
  readonly key: Uint8Array;
  /** Offset of the sampled entry in Index.db. */
  readonly indexPosition: number;
}

export interface IndexSummary {
  readonly minIndexInterval: number;
  readonly samplingLevel: number;
  readonly entries: readonly SummaryEntry[];
  readonly firstKey: Uint8Array;
  readonly lastKey: Uint8Array;
}

export function summaryParse(bytes: Uint8Array, file: string): IndexSummary {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (offset: number, what: string): DatamoveError =>
    new DatamoveError('DataInvalid', `sstable: ${file} at offset ${offset}: invalid Summary.db: ${what}`, {
      context: { file, offset },
    });
  if (bytes.length < 24) throw fail(0, 'file is truncated');
  const minIndexInterval = view.getInt32(0);
  const count = view.getInt32(4);
  const offHeapSize = Number(view.getBigInt64(8));
  const samplingLevel = view.getInt32(16);
  const base = 24;
  const entriesLength = offHeapSize - count * 4;
  if (count < 0 || entriesLength < 0 || base + offHeapSize > bytes.length) {
    throw fail(4, `${count} entries in ${offHeapSize} bytes do not fit in ${bytes.length} bytes`);
  }
  const offsets = new Array<number>(count + 1);
  for (let i = 0; i < count; i++) offsets[i] = view.getInt32(base + 4 * i, true);
  offsets[count] = offHeapSize;
  const entries: SummaryEntry[] = [];
  for (let i = 0; i < count; i++) {
    const start = offsets[i]!;
    const end = offsets[i + 1]!;
    if (start < count * 4 || end - start < 8 || end > offHeapSize)
      throw fail(base + 4 * i, `entry ${i} spans ${start}..${end}`);
    entries.push({
      key: bytes.subarray(base + start, base + end - 8),
      indexPosition: Number(view.getBigInt64(base + end - 8, true)),
    });
  }
  let at = base + offHeapSize;
  const readKey = (): Uint8Array => {
    if (at + 4 > bytes.length) throw fail(at, 'first/last key is truncated');
    const n = view.getInt32(at);
    if (n < 0 || at + 4 + n > bytes.length) throw fail(at, `key length ${n}`);
    const k = bytes.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return k;
  };
  const firstKey = readKey();
  const lastKey = readKey();
  return { minIndexInterval, samplingLevel, entries, firstKey, lastKey };
}
