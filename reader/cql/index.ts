/**
 * CQL types and values for the SSTable reader: marshal and CQL type syntax, fixed value lengths,
 * value decoding to JSON, Cassandra's value ordering, counter contexts, and schema.cql parsing.
 * See the modules for the Cassandra sources each one follows.
 */

export {
  compareUnsigned,
  fromHex,
  readFloat32,
  readFloat64,
  readInt16,
  readInt32,
  readInt64Big,
  readInt64Safe,
  readUint16,
  readUint32,
  TWO_32,
  toHex,
} from './binary.js';
export type { CounterShard } from './counter-context.js';
export { counterContextShards, counterContextTotal, counterContextTotalNumber } from './counter-context.js';
export { compareVarint, compositeJoin, compositeSplit, cqlCompare } from './cql-compare.js';
export type { CqlToken, CqlTokenKind } from './cql-lexer.js';
export { CqlTokenStream, cqlSyntaxError, tokenizeCql } from './cql-lexer.js';
export type { CqlTypeScope } from './cql-syntax.js';
export { cqlTypeFromCql, cqlTypeToCql, parseCqlType, quoteCqlIdentifier } from './cql-syntax.js';
export type { CqlType, NativeTypeName } from './cql-type.js';
export type { ComplexCell, JsonValue } from './cql-value.js';
export {
  cqlMultiCellToJson,
  cqlValueToJson,
  decimalToString,
  decodeUtf8,
  durationToString,
  float32ToShortestNumber,
  formatBigDecimal,
  inetToString,
  jsonKey,
  uuidToString,
  varintToBigInt,
  varintToJson,
} from './cql-value.js';
export { cqlValueFixedLength, VARIABLE_LENGTH } from './fixed-length.js';
export { cqlTypeFromMarshal, cqlTypeToMarshal, MARSHAL_PACKAGE, nativeType } from './marshal-type.js';
export type { ColumnSchema, DroppedColumn, SchemaCql, TableSchema } from './schema-cql.js';
export { parseSchemaCql } from './schema-cql.js';
export {
  formatDuration,
  formatEpochDay,
  formatTimeNanos,
  formatTimestampMillis,
  formatTimestampMillisBig,
} from './temporal-text.js';
export type { VIntRead } from './vint.js';
export {
  encodeUnsignedVInt,
  encodeVInt,
  readUnsignedVInt,
  readUnsignedVIntBig,
  readVIntBig,
} from './vint.js';
