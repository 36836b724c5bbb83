/**
 * The big format's partition index. Index.db holds one entry per partition
 * (io/sstable/format/big/RowIndexEntry.java): `u16 keyLength, key, unsigned vint Data.db position,
 * unsigned vint size of the promoted (row) index that follows` — the promoted index is skipped here.
 * Summary.db samples Index.db; a seek binary-searches the sample by token and scans Index.db from the
 * preceding sample. Without Summary.db (Cassandra rebuilds it when missing), Index.db is scanned from
 * its start.
 */
import { DatamoveError } from '../../../core/index.js';
import type { ByteSource } from '../../../storage/index.js';
import { Cursor, NEED_MORE } from '../../bytes/cursor.js';
import type { Partitioner, Token } from '../../partitioner/partitioner.js';
import type { PartitionIndex, PartitionIndexEntry } from './partition-index.js';
import type { IndexSummary } from './summary.js';

const BLOCK = 256 * 1024;

export function bigPartitionIndex(
  index: ByteSource,
  summary: IndexSummary | undefined,
  partitioner: Partitioner,
  dataLength: number,
): PartitionIndex {
  const file = index.name;
  const sampleTokens = summary?.entries.map((e) => partitioner.tokenOf(e.key));

  /** Index.db offset to start scanning from to find the first key with token >= t. */
  const scanStart = (t: Token | undefined): number => {
    if (t === undefined || summary === undefined || sampleTokens === undefined) return 0;
    // last sample whose token is < t
    let lo = 0;
    let hi = sampleTokens.length - 1;
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (partitioner.compareTokens(sampleTokens[mid]!, t) < 0) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return best < 0 ? 0 : summary.entries[best]!.indexPosition;
  };

  async function* scan(from: Token | undefined): AsyncGenerator<PartitionIndexEntry> {
    let pos = scanStart(from);
    const c = new Cursor(new Uint8Array(0));
    while (pos < index.byteLength || c.remaining > 0) {
      c.mark = c.pos;
      let entry: PartitionIndexEntry;
      try {
        const keyLength = c.u16();
        const key = c.bytes(keyLength);
        const dataPosition = c.unsignedVInt();
        const promoted = c.unsignedVInt();
        c.skip(promoted);
        entry = { key, dataPosition };
      } catch (e) {
        if (e !== NEED_MORE) throw e;
        const need = NEED_MORE.need;
        if (pos >= index.byteLength) {
          throw new DatamoveError(
            'DataInvalid',
            `sstable: ${file} at offset ${pos - (c.end - c.mark)}: truncated index entry`,
            {
              context: { file, offset: pos - (c.end - c.mark) },
            },
          );
        }
        const more = await index.read(pos, Math.min(index.byteLength, pos + Math.max(BLOCK, need)));
        pos += more.length;
        const keep = c.buf.subarray(c.mark, c.end);
        const buf = new Uint8Array(keep.length + more.length);
        buf.set(keep, 0);
        buf.set(more, keep.length);
        c.reset(buf, 0, buf.length, 0);
        continue;
      }
      if (entry.dataPosition > dataLength) {
        throw new DatamoveError(
          'DataInvalid',
          `sstable: ${file}: index entry points at Data.db offset ${entry.dataPosition}, past its end (${dataLength})`,
          { context: { file, offset: entry.dataPosition } },
        );
      }
      if (from !== undefined && partitioner.compareTokens(partitioner.tokenOf(entry.key), from) < 0) continue;
      from = undefined; // entries are in token order: no need to compare once past the start
      yield entry;
    }
  }

  return {
    entries: (from) => scan(from),
    async dataPositionAtOrAfter(token) {
      for await (const e of scan(token)) return e.dataPosition;
      return dataLength;
    },
    async samples() {
      if (summary !== undefined) {
        const out: PartitionIndexEntry[] = [];
        // the summary points into Index.db; resolve each sample to its Data.db position
        for (const s of summary.entries) {
          const c = new Cursor(
            await index.read(
              s.indexPosition,
              Math.min(index.byteLength, s.indexPosition + 2 + s.key.length + 10),
            ),
          );
          c.skip(2 + s.key.length);
          out.push({ key: s.key, dataPosition: c.unsignedVInt() });
        }
        return out;
      }
      const out: PartitionIndexEntry[] = [];
      for await (const e of scan(undefined)) out.push(e);
      return out;
    },
  };
}
