/**
 * Per-column metrics of a written Parquet file, read from its footer (parquet.thrift `FileMetaData`) and
 * shaped as the manifest's `data_file` wants them (format/spec.md "Manifests", fields 108–128): value counts
 * (nulls included), null counts, column sizes and lower/upper bounds in single-value serialization. This is
 * what Iceberg's Java `ParquetUtil.footerMetrics` does, so it works for any Parquet writer and checks that
 * every column carries an Iceberg field id.
 *
 * Bounds are kept only for primitive fields outside lists and maps (their bounds say nothing about rows).
 */
import { DatamoveError, dataInvalid } from '../../core/index.js';
import {
  type FieldInfo,
  type IcebergStructType,
  icebergPrimitiveParse,
  icebergSchemaIndex,
} from '../schema/iceberg-schema.js';
import {
  icebergValueToBytes,
  parquetStatDecode,
  statCompare,
  truncateLower,
  truncateUpper,
} from './single-value.js';
import { type ThriftStruct, type ThriftValue, thriftReadStruct } from './thrift-compact.js';

/** Metrics of one data file, keyed by Iceberg field id. */
export interface DataFileMetrics {
  readonly recordCount: number;
  readonly columnSizes: Map<number, number>;
  readonly valueCounts: Map<number, number>;
  readonly nullValueCounts: Map<number, number>;
  readonly lowerBounds: Map<number, Uint8Array>;
  readonly upperBounds: Map<number, Uint8Array>;
  /** Starting byte of each row group. */
  readonly splitOffsets: number[];
}

const MAGIC = 0x31524150; // "PAR1" little-endian

/** Decodes the footer of a complete Parquet file. */
export function parquetFooterRead(file: Uint8Array): ThriftStruct {
  const n = file.length;
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (n < 12 || view.getUint32(n - 4, true) !== MAGIC || view.getUint32(0, true) !== MAGIC) {
    throw dataInvalid(`parquet: not a Parquet file (${n} bytes, no PAR1 magic)`);
  }
  const len = view.getUint32(n - 8, true);
  if (len > n - 12) throw dataInvalid(`parquet: footer length ${len} exceeds file size ${n}`);
  return thriftReadStruct(file.subarray(n - 8 - len, n - 8));
}

interface Leaf {
  readonly fieldId: number | undefined;
  readonly path: string;
}

/** Leaf columns in column-chunk order, with their field ids; throws if a non-wrapper node lacks an id. */
function leaves(schema: ThriftStruct[]): Leaf[] {
  const out: Leaf[] = [];
  let i = 1; // element 0 is the root
  const walk = (path: string): void => {
    const el = schema[i++]!;
    const name = new TextDecoder().decode(el[4] as Uint8Array);
    const children = (el[5] as number | undefined) ?? 0;
    const repeated = el[3] === 2;
    const id = el[9] as number | undefined;
    const p = path === '' ? name : `${path}.${name}`;
    // the repeated group inside a LIST/MAP (`list`, `key_value`) has no id of its own
    const wrapper = repeated && children > 0;
    if (id === undefined && !wrapper) {
      throw new DatamoveError('DataInvalid', `iceberg: Parquet column ${p} has no field id`, {
        context: { column: p },
      });
    }
    if (children === 0) {
      out.push({ fieldId: id, path: p });
      return;
    }
    for (let c = 0; c < children; c++) walk(p);
  };
  const root = schema[0]!;
  const top = (root[5] as number | undefined) ?? 0;
  for (let c = 0; c < top; c++) walk('');
  return out;
}

/** Computes the data file metrics of a complete Parquet file written for `schema`. */
export function parquetFileMetrics(file: Uint8Array, schema: IcebergStructType): DataFileMetrics {
  const footer = parquetFooterRead(file);
  const elements = footer[2] as ThriftStruct[];
  const cols = leaves(elements);
  const index = icebergSchemaIndex(schema);
  const columnSizes = new Map<number, number>();
  const valueCounts = new Map<number, number>();
  const nullValueCounts = new Map<number, number>();
  const mins = new Map<number, unknown>();
  const maxs = new Map<number, unknown>();
  const noBounds = new Set<number>();
  const nullUnknown = new Set<number>();
  const splitOffsets: number[] = [];
  for (const rg of (footer[4] as ThriftStruct[] | undefined) ?? []) {
    const chunks = rg[1] as ThriftStruct[];
    chunks.forEach((chunk, ci) => {
      const md = chunk[3] as ThriftStruct;
      if (ci === 0) {
        const dict = md[11] as number | undefined;
        const data = md[9] as number;
        splitOffsets.push(dict !== undefined && dict > 0 && dict < data ? dict : data);
      }
      const leaf = cols[ci];
      if (leaf?.fieldId === undefined) return;
      const id = leaf.fieldId;
      columnSizes.set(id, (columnSizes.get(id) ?? 0) + (md[7] as number));
      valueCounts.set(id, (valueCounts.get(id) ?? 0) + (md[5] as number));
      const stats = md[12] as ThriftStruct | undefined;
      const nulls = stats?.[3] as number | undefined;
      if (nulls === undefined) nullUnknown.add(id);
      else nullValueCounts.set(id, (nullValueCounts.get(id) ?? 0) + nulls);
      const info = index.get(id);
      if (info === undefined || info.repeated || typeof info.type !== 'string' || noBounds.has(id)) return;
      const min = (stats?.[6] ?? stats?.[2]) as Uint8Array | undefined;
      const max = (stats?.[5] ?? stats?.[1]) as Uint8Array | undefined;
      const rows = rg[3] as number;
      const chunkValues = md[5] as number;
      if (min === undefined || max === undefined) {
        // an all-null chunk has no min/max and does not widen the bounds
        if (nulls !== undefined && nulls === chunkValues && rows > 0) return;
        noBounds.add(id);
        return;
      }
      mergeBound(info, md[1] as number, min, max, mins, maxs);
    });
  }
  for (const id of nullUnknown) nullValueCounts.delete(id);
  const lowerBounds = new Map<number, Uint8Array>();
  const upperBounds = new Map<number, Uint8Array>();
  for (const [id, v] of mins) {
    if (noBounds.has(id)) continue;
    const info = icebergPrimitiveParse(index.get(id)!.type as string);
    const lo = truncateLower(v);
    const hi = truncateUpper(maxs.get(id));
    // copy: a bound must not keep the whole file buffer alive
    lowerBounds.set(id, icebergValueToBytes(info, lo).slice());
    if (hi !== undefined) upperBounds.set(id, icebergValueToBytes(info, hi).slice());
  }
  return {
    recordCount: footer[3] as number,
    columnSizes,
    valueCounts,
    nullValueCounts,
    lowerBounds,
    upperBounds,
    splitOffsets,
  };
}

function mergeBound(
  field: FieldInfo,
  physical: number,
  min: Uint8Array,
  max: Uint8Array,
  mins: Map<number, unknown>,
  maxs: Map<number, unknown>,
): void {
  const info = icebergPrimitiveParse(field.type as string);
  const lo = parquetStatDecode(physical, info, min);
  const hi = parquetStatDecode(physical, info, max);
  const curLo = mins.get(field.id);
  const curHi = maxs.get(field.id);
  if (curLo === undefined || statCompare(lo, curLo) < 0) mins.set(field.id, lo);
  if (curHi === undefined || statCompare(hi, curHi) > 0) maxs.set(field.id, hi);
}

/** Used by tests: the raw value of a thrift field. */
export type { ThriftValue };
