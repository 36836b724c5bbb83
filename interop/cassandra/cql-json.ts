/**
 * Cassandra's answer (rows the Node.js driver decoded) in the corpus's JSON value conventions — the form
 * `datamove sstable dump` prints (reader/cql/cql-value.ts): blobs `0x…`, bigint/counter/varint numbers
 * up to 2^53 and strings beyond, decimals as Java's BigDecimal.toString(), floats as the shortest decimal
 * of the float32, NaN/±Infinity as strings, timestamps ISO-8601 with milliseconds, dates `YYYY-MM-DD`,
 * times `HH:MM:SS.nnnnnnnnn`, durations in Cassandra's text form, lists/sets as arrays, maps as objects
 * (non-string keys as their JSON text), tuples as arrays, UDTs as objects by field name, vectors as
 * arrays. The decoding of the bytes is the driver's; only the text presentation uses the corpus's
 * formatters, so the comparison checks what datamove read, not how it prints.
 */
import cassandra from 'cassandra-driver';
import {
  float32ToShortestNumber,
  formatBigDecimal,
  formatDuration,
  formatEpochDay,
  formatTimeNanos,
  formatTimestampMillis,
  inetToString,
  type JsonValue,
  jsonKey,
} from '../../reader/index.js';

const T = cassandra.types.dataTypes;

/** The driver's description of a column type. */
export interface DriverType {
  readonly code: number;
  readonly info?: unknown;
  readonly customTypeName?: string;
}

function integerJson(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

function floatJson(v: number, single: boolean): JsonValue {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  return single ? float32ToShortestNumber(v) : v;
}

/** The driver's BigDecimal keeps the unscaled Integer and the scale as it read them (no accessors). */
function decimalJson(v: cassandra.types.BigDecimal): string {
  const parts = v as unknown as { _intVal: { toString(): string }; _scale: number };
  const unscaled = parts._intVal.toString();
  const negative = unscaled.startsWith('-');
  return formatBigDecimal(negative, negative ? unscaled.slice(1) : unscaled, parts._scale);
}

const MARSHAL = 'org.apache.cassandra.db.marshal.';
/** Vector element types by marshal class (protocol v4 describes a vector column as a custom type). */
const MARSHAL_CODES: Record<string, number> = {
  FloatType: T.float,
  DoubleType: T.double,
  Int32Type: T.int,
  LongType: T.bigint,
  UTF8Type: T.text,
  AsciiType: T.ascii,
};

function vectorInfo(t: DriverType): { element: DriverType } | undefined {
  if (t.customTypeName === 'vector' && Array.isArray(t.info)) return { element: t.info[0] as DriverType };
  const m =
    typeof t.info === 'string'
      ? /^org\.apache\.cassandra\.db\.marshal\.VectorType\(([\w.]+)\s*,\s*(\d+)\)$/.exec(t.info)
      : null;
  if (!m) return undefined;
  const code = MARSHAL_CODES[m[1]!.replace(MARSHAL, '')];
  if (code === undefined) throw new Error(`interop: no JSON form for vector elements of ${m[1]}`);
  return { element: { code } };
}

function durationJson(v: cassandra.types.Duration | Buffer): string {
  const d = Buffer.isBuffer(v) ? cassandra.types.Duration.fromBuffer(v) : v;
  const parts = d as unknown as { months: number; days: number; nanoseconds: { toString(): string } };
  return formatDuration(BigInt(parts.months), BigInt(parts.days), BigInt(parts.nanoseconds.toString()));
}

/** One value of type `t`, as the driver decoded it, in the corpus's JSON form. */
export function driverValueToJson(t: DriverType, v: unknown): JsonValue {
  if (v === null || v === undefined) return null;
  switch (t.code) {
    case T.ascii:
    case T.text:
    case T.varchar:
      return v as string;
    case T.blob:
      return `0x${(v as Buffer).toString('hex')}`;
    case T.boolean:
      return v as boolean;
    case T.int:
    case T.smallint:
    case T.tinyint:
      return v as number;
    case T.bigint:
    case T.counter:
    case T.varint:
      return integerJson((v as { toString(): string }).toString());
    case T.float:
      return floatJson(v as number, true);
    case T.double:
      return floatJson(v as number, false);
    case T.decimal:
      return decimalJson(v as cassandra.types.BigDecimal);
    case T.uuid:
    case T.timeuuid:
      return (v as cassandra.types.Uuid).toString();
    case T.timestamp:
      return formatTimestampMillis((v as Date).getTime());
    case T.date: {
      const d = v as cassandra.types.LocalDate;
      return formatEpochDay(Math.round(Date.UTC(d.year, d.month - 1, d.day) / 86_400_000));
    }
    case T.time:
      return formatTimeNanos(Number((v as cassandra.types.LocalTime).getTotalNanoseconds().toString()));
    case T.duration:
      return durationJson(v as cassandra.types.Duration);
    case T.inet:
      return inetToString(new Uint8Array((v as cassandra.types.InetAddress).getBuffer()));
    case T.list:
    case T.set: {
      const element = t.info as DriverType;
      return [...(v as Iterable<unknown>)].map((x) => driverValueToJson(element, x));
    }
    case T.map: {
      const [kt, vt] = t.info as [DriverType, DriverType];
      const out: Record<string, JsonValue> = {};
      for (const [k, x] of v as Map<unknown, unknown>)
        out[jsonKey(driverValueToJson(kt, k))] = driverValueToJson(vt, x);
      return out;
    }
    case T.tuple: {
      const types = t.info as DriverType[];
      const values = (v as cassandra.types.Tuple).values();
      return types.map((et, i) => driverValueToJson(et, values[i]));
    }
    case T.udt: {
      const fields = (t.info as { fields: { name: string; type: DriverType }[] }).fields;
      const obj = v as Record<string, unknown>;
      const out: Record<string, JsonValue> = {};
      for (const f of fields) out[f.name] = driverValueToJson(f.type, obj[f.name]);
      return out;
    }
    default: {
      if (t.info === `${MARSHAL}DurationType`) return durationJson(v as Buffer);
      const vec = vectorInfo(t);
      if (vec) return [...(v as Iterable<unknown>)].map((x) => driverValueToJson(vec.element, x));
      throw new Error(`interop: no JSON form for driver type code ${t.code} (${JSON.stringify(t.info)})`);
    }
  }
}

/** A driver result row as a JSON row keyed by column name. */
export function driverRowToJson(
  columns: readonly { name: string; type: DriverType }[],
  row: cassandra.types.Row,
): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const c of columns) out[c.name] = driverValueToJson(c.type, row.get(c.name));
  return out;
}

/** Every row of a query (all pages), in the corpus's JSON form. */
export async function queryJson(
  client: cassandra.Client,
  cql: string,
  options: cassandra.QueryOptions = {},
): Promise<Record<string, JsonValue>[]> {
  const rows: Record<string, JsonValue>[] = [];
  let pageState: string | undefined;
  do {
    const r = await client.execute(cql, [], {
      fetchSize: 5000,
      ...options,
      ...(pageState ? { pageState } : {}),
    });
    const columns = r.columns as unknown as { name: string; type: DriverType }[];
    for (const row of r.rows) rows.push(driverRowToJson(columns, row));
    pageState = r.pageState ?? undefined;
  } while (pageState);
  return rows;
}
