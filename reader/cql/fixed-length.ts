/**
 * The serialized length of values whose marshal type is fixed-length (`AbstractType.valueLengthIfFixed`),
 * which decides whether a cell value in Data.db carries a vint length prefix. Checked against
 * db/marshal/*Type.java of apache/cassandra 3.0/3.11, 4.0/4.1 and 5.0: BooleanType 1, Int32Type 4,
 * LongType 8, FloatType 4, DoubleType 8, TimestampType and DateType 8, UUIDType, TimeUUIDType and
 * LexicalUUIDType 16, EmptyType 0, ReversedType its base type, VectorType dimension times a fixed element
 * length (5.0). ByteType, ShortType, SimpleDateType, TimeType and CounterColumnType do NOT override it in
 * any of those versions (they are length-prefixed on disk, as the corpus Data.db files confirm), so the
 * answer does not depend on the SSTable version.
 */

import type { CqlType } from './cql-type.js';

/** Returned for variable-length types (Cassandra's `VARIABLE_LENGTH`). */
export const VARIABLE_LENGTH = -1;

/**
 * The fixed serialized length of values of `t` in the SSTable cell encoding, or -1 when values are
 * variable-length (written with a vint length prefix). Same answer for SSTable formats ma..oa (3.0-5.0).
 */
export function cqlValueFixedLength(t: CqlType): number {
  switch (t.kind) {
    case 'native':
      switch (t.name) {
        case 'boolean':
          return 1;
        case 'int':
        case 'float':
          return 4;
        case 'bigint':
        case 'double':
        case 'timestamp':
          return 8;
        case 'uuid':
        case 'timeuuid':
          return 16;
        case 'empty':
          return 0;
        default:
          return VARIABLE_LENGTH;
      }
    case 'reversed':
      return cqlValueFixedLength(t.inner);
    case 'vector': {
      const e = cqlValueFixedLength(t.element);
      return e === VARIABLE_LENGTH ? VARIABLE_LENGTH : e * t.dimension;
    }
    default:
      return VARIABLE_LENGTH;
  }
}
