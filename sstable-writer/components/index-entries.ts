/**
 * Reads the partition entries of a `big` format Index.db (io/sstable/format/big/RowIndexEntry.java
 * serializer, 3.0+): `u16 key length, key, unsigned vint data position, unsigned vint promoted-index
 * size` and that many bytes. Used to rebuild Summary.db, Filter.db and the cardinality estimator from
 * an existing SSTable, and by the tests against the corpus.
 */
import { DatamoveError } from '../../core/index.js';
import { ByteReader } from '../../reader/index.js';

/** One Index.db entry. */
export interface IndexDbEntry {
  readonly key: Uint8Array;
  /** Offset of this entry in Index.db. */
  readonly indexPosition: number;
  /** Position of the partition in (uncompressed) Data.db. */
  readonly dataPosition: number;
}

/** Every entry of an Index.db, in file order. */
export function indexDbEntries(bytes: Uint8Array, file = 'Index.db'): IndexDbEntry[] {
  const r = new ByteReader(bytes);
  const out: IndexDbEntry[] = [];
  try {
    while (r.pos < bytes.length) {
      const indexPosition = r.pos;
      const key = r.bytes(r.u16());
      const dataPosition = Number(r.unsignedVInt());
      const promoted = Number(r.unsignedVInt());
      r.bytes(promoted);
      out.push({ key, indexPosition, dataPosition });
    }
  } catch (e) {
    if (e instanceof RangeError)
      throw new DatamoveError(
        'DataInvalid',
        `sstable: ${file} at offset ${r.pos}: invalid Index.db: ${e.message}`,
        {
          context: { file, offset: r.pos },
        },
      );
    throw e;
  }
  return out;
}
