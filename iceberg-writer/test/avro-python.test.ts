/**
 * A second Avro implementation reads our manifests and manifest lists: Apache Avro's Python library
 * (Debian's python3-avro, installed by .ci/run). Python decodes every record of a real table's files
 * (partitioned, with an overwrite, so ADDED and DELETED entries and partition summaries are present), and
 * what it decodes must equal what we wrote; the writer schemas as Python parses them must carry the
 * spec's field names, field ids, element/key/value ids and required/optional-ness (format/spec.md
 * "Manifests" and "Manifest Lists", v2; Appendix A for int-keyed maps) — the tables below are written from
 * the spec, not from manifest-schemas.ts. Without python3-avro the suite is skipped with one line, or fails
 * where every optional tool is required (DATAMOVE_TEST_REQUIRE_ALL=1, as in CI; infra/testing/optional-tool.ts).
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLTYPES_SCHEMA, alltypesBatch, optionalTool } from '../../infra/index.js';
import { sqlCatalogOpen } from '../catalog/sql/sql-catalog.js';
import { icebergCommit } from '../commit/table-commit.js';
import { LocalFileIO } from '../io/local/local-file-io.js';
import { manifestListRead, manifestRead } from '../manifest/manifest-file.js';
import { metadataSchema, metadataSpec, type TableMetadata } from '../metadata/table-metadata.js';
import { DataWriter } from '../write/data-writer.js';
import { tempDir } from './helpers.js';

/** Debian's python3-avro is installed for the system interpreter, which may not be first on PATH. */
const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const HAVE_AVRO = optionalTool({
  tool: 'python3-avro',
  what: 'the Avro cross-check of our manifests by Apache Avro for Python (iceberg-writer/test/avro-python.test.ts)',
  install: 'apt-get install python3-avro',
  present: () => {
    try {
      execFileSync(PYTHON, ['-c', 'import avro.datafile, avro.io, avro.schema'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  },
});

/** Decodes each file with avro.datafile; ints as strings (64-bit ids), bytes as hex. */
const DECODE = String.raw`
import json, sys
try:
    import avro.datafile, avro.io, avro.schema
except ImportError as e:
    sys.stderr.write("python3-avro is missing (%s): apt-get install python3-avro\n" % e)
    sys.exit(3)

def conv(v):
    if v is None or isinstance(v, bool) or isinstance(v, float) or isinstance(v, str):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (bytes, bytearray)):
        return {"hex": v.hex()}
    if isinstance(v, dict):
        return {k: conv(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [conv(x) for x in v]
    return {"logical": str(v)}

def shape(s):
    t = s.type
    if t == "record":
        return {"type": "record", "name": s.name, "fields": [
            {"name": f.name, "field-id": f.other_props.get("field-id"), "type": shape(f.type)}
            for f in s.fields]}
    if t == "union":
        return {"type": "union", "types": [shape(x) for x in s.schemas]}
    if t == "array":
        return {"type": "array", "element-id": s.other_props.get("element-id"),
                "logicalType": s.other_props.get("logicalType"), "items": shape(s.items)}
    if t == "fixed":
        return {"type": "fixed", "size": s.size}
    return {"type": t, "logicalType": s.other_props.get("logicalType")}

out = []
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        reader = avro.datafile.DataFileReader(f, avro.io.DatumReader())
        meta = {k: v.decode("utf-8") for k, v in reader.meta.items() if not k.startswith("avro.")}
        meta["avro.codec"] = reader.meta.get("avro.codec", b"null").decode()
        schema = shape(reader.datum_reader.writers_schema)
        records = [conv(r) for r in reader]
        reader.close()
    out.append({"path": path, "meta": meta, "schema": schema, "records": records})
json.dump(out, sys.stdout)
`;

interface PyFile {
  path: string;
  meta: Record<string, string>;
  schema: PySchema;
  records: Record<string, unknown>[];
}
interface PySchema {
  type: string;
  name?: string;
  fields?: { name: string; 'field-id': number | null; type: PySchema }[];
  types?: PySchema[];
  items?: PySchema;
  'element-id'?: number | null;
  logicalType?: string | null;
}

function pythonDecode(paths: readonly string[]): Promise<PyFile[]> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ['-c', DECODE, ...paths], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(
          new Error(
            `${PYTHON} could not decode the files (python3-avro is needed: apt-get install python3-avro; .ci/run installs it): ${stderr || err.message}`,
          ),
        );
      } else resolve(JSON.parse(stdout) as PyFile[]);
    });
  });
}

/** A field as the spec lists it: name, id, required, and its type in short form. */
type SpecField = readonly [name: string, id: number, required: boolean, type: string];

/** The Avro type of a Python-parsed schema in short form: `long`, `map<117:int,118:long>`, `list<133:long>`, `struct`. */
function short(s: PySchema): string {
  if (s.type === 'record') return 'struct';
  if (s.type === 'array' && s.logicalType === 'map') {
    const [k, v] = s.items!.fields!;
    return `map<${k!['field-id']}:${short(k!.type)},${v!['field-id']}:${short(v!.type)}>`;
  }
  if (s.type === 'array') return `list<${s['element-id']}:${short(s.items!)}>`;
  if (s.type === 'bytes') return 'binary';
  return s.type;
}

function fieldsOf(s: PySchema): SpecField[] {
  return s.fields!.map((f) => {
    const optional =
      f.type.type === 'union' && f.type.types!.length === 2 && f.type.types![0]!.type === 'null';
    return [f.name, f['field-id']!, !optional, short(optional ? f.type.types![1]! : f.type)] as const;
  });
}

const field = (s: PySchema, name: string): PySchema => {
  const f = s.fields!.find((x) => x.name === name)!.type;
  return f.type === 'union' ? f.types![1]! : f;
};

// format/spec.md "Manifest Lists" (v2 column)
const MANIFEST_FILE: SpecField[] = [
  ['manifest_path', 500, true, 'string'],
  ['manifest_length', 501, true, 'long'],
  ['partition_spec_id', 502, true, 'int'],
  ['content', 517, true, 'int'],
  ['sequence_number', 515, true, 'long'],
  ['min_sequence_number', 516, true, 'long'],
  ['added_snapshot_id', 503, true, 'long'],
  ['added_files_count', 504, true, 'int'],
  ['existing_files_count', 505, true, 'int'],
  ['deleted_files_count', 506, true, 'int'],
  ['added_rows_count', 512, true, 'long'],
  ['existing_rows_count', 513, true, 'long'],
  ['deleted_rows_count', 514, true, 'long'],
  ['partitions', 507, false, 'list<508:struct>'],
  ['key_metadata', 519, false, 'binary'],
];
const FIELD_SUMMARY: SpecField[] = [
  ['contains_null', 509, true, 'boolean'],
  ['contains_nan', 518, false, 'boolean'],
  ['lower_bound', 510, false, 'binary'],
  ['upper_bound', 511, false, 'binary'],
];
// format/spec.md "Manifests" → "Manifest Entry Fields" and "Data File Fields" (v2 column)
const MANIFEST_ENTRY: SpecField[] = [
  ['status', 0, true, 'int'],
  ['snapshot_id', 1, false, 'long'],
  ['sequence_number', 3, false, 'long'],
  ['file_sequence_number', 4, false, 'long'],
  ['data_file', 2, true, 'struct'],
];
const DATA_FILE: SpecField[] = [
  ['content', 134, true, 'int'],
  ['file_path', 100, true, 'string'],
  ['file_format', 101, true, 'string'],
  ['partition', 102, true, 'struct'],
  ['record_count', 103, true, 'long'],
  ['file_size_in_bytes', 104, true, 'long'],
  ['column_sizes', 108, false, 'map<117:int,118:long>'],
  ['value_counts', 109, false, 'map<119:int,120:long>'],
  ['null_value_counts', 110, false, 'map<121:int,122:long>'],
  ['nan_value_counts', 137, false, 'map<138:int,139:long>'],
  ['lower_bounds', 125, false, 'map<126:int,127:binary>'],
  ['upper_bounds', 128, false, 'map<129:int,130:binary>'],
  ['key_metadata', 131, false, 'binary'],
  ['split_offsets', 132, false, 'list<133:long>'],
  ['equality_ids', 135, false, 'list<136:int>'],
  ['sort_order_id', 140, false, 'int'],
];

const hex = (b: Uint8Array | null) => (b === null ? null : { hex: Buffer.from(b).toString('hex') });
const str = (v: bigint | number | null) => (v === null ? null : String(v));
const mapOf = (m: Map<number, number | Uint8Array> | undefined) =>
  m === undefined
    ? null
    : [...m].map(([key, value]) => ({
        key: String(key),
        value: value instanceof Uint8Array ? hex(value) : String(value),
      }));

describe.runIf(HAVE_AVRO)('python3-avro decodes our manifests and manifest lists', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let metadata: TableMetadata;
  const io = new LocalFileIO();

  beforeAll(async () => {
    dir = await tempDir('dm-iceberg-pyavro-');
    const catalog = await sqlCatalogOpen(
      { uri: `sqlite:${dir.path}/catalog.db`, warehouse: `${dir.path}/wh` },
      io,
    );
    const id = { namespace: ['ks'], name: 'alltypes' };
    const t = await catalog.createTable(id, {
      schema: ALLTYPES_SCHEMA,
      partitionSpec: {
        'spec-id': 0,
        fields: [
          { 'source-id': 9, 'field-id': 1000, name: 'ts_day', transform: 'day' },
          { 'source-id': 1, 'field-id': 1001, name: 'id_bucket', transform: 'bucket[4]' },
        ],
      },
    });
    for (const [i, mode] of (['append', 'append', 'overwrite'] as const).entries()) {
      const w = new DataWriter({
        io,
        location: t.metadata.location,
        schema: ALLTYPES_SCHEMA,
        spec: t.metadata['partition-specs'][0]!,
      });
      await w.write(alltypesBatch(400, i * 400));
      await icebergCommit(catalog, id, await w.close(), { mode, runId: `r${i}` });
    }
    metadata = (await catalog.loadTable(id)).metadata;
    await catalog.close();
  });
  afterAll(async () => {
    await dir.cleanup();
  });

  it('manifest lists: records equal ours; schema and metadata as the spec says', async () => {
    const lists = metadata.snapshots.map((s) => s['manifest-list']);
    const decoded = await pythonDecode(lists);
    for (const [i, file] of decoded.entries()) {
      const snap = metadata.snapshots[i]!;
      expect(file.meta).toMatchObject({
        'format-version': '2',
        'snapshot-id': String(snap['snapshot-id']),
        'sequence-number': String(snap['sequence-number']),
        'parent-snapshot-id': String(snap['parent-snapshot-id'] ?? 'null'),
        'avro.codec': 'deflate',
      });
      expect(file.schema.name).toBe('manifest_file');
      expect(fieldsOf(file.schema)).toEqual(MANIFEST_FILE);
      expect(fieldsOf(field(file.schema, 'partitions').items!)).toEqual(FIELD_SUMMARY);
      const ours = await manifestListRead(io, file.path);
      expect(file.records).toEqual(
        ours.map((m) => ({
          manifest_path: m.manifestPath,
          manifest_length: String(m.manifestLength),
          partition_spec_id: String(m.partitionSpecId),
          content: String(m.content),
          sequence_number: str(m.sequenceNumber),
          min_sequence_number: str(m.minSequenceNumber),
          added_snapshot_id: str(m.addedSnapshotId),
          added_files_count: String(m.addedFilesCount),
          existing_files_count: String(m.existingFilesCount),
          deleted_files_count: String(m.deletedFilesCount),
          added_rows_count: String(m.addedRowsCount),
          existing_rows_count: String(m.existingRowsCount),
          deleted_rows_count: String(m.deletedRowsCount),
          partitions:
            m.partitions?.map((p) => ({
              contains_null: p.containsNull,
              contains_nan: p.containsNan,
              lower_bound: hex(p.lowerBound),
              upper_bound: hex(p.upperBound),
            })) ?? null,
          key_metadata: null,
        })),
      );
    }
    // the overwrite's list holds the new manifest and one of DELETED entries
    expect(decoded.at(-1)!.records.some((r) => r.deleted_files_count !== '0')).toBe(true);
  });

  it('manifests: records equal ours; schema and metadata as the spec says', async () => {
    const manifests = [
      ...new Set(
        (await Promise.all(metadata.snapshots.map((s) => manifestListRead(io, s['manifest-list']))))
          .flat()
          .map((m) => m.manifestPath),
      ),
    ];
    expect(manifests.length).toBeGreaterThanOrEqual(4);
    const decoded = await pythonDecode(manifests);
    const schema = metadataSchema(metadata);
    const spec = metadataSpec(metadata);
    const statuses = new Set<string>();
    for (const file of decoded) {
      expect(file.meta).toMatchObject({
        'format-version': '2',
        content: 'data',
        'partition-spec-id': '0',
        'schema-id': '0',
        'avro.codec': 'deflate',
      });
      expect(JSON.parse(file.meta.schema!)).toEqual(JSON.parse(JSON.stringify(schema)));
      expect(JSON.parse(file.meta['partition-spec']!)).toEqual(spec.fields);
      expect(file.schema.name).toBe('manifest_entry');
      expect(fieldsOf(file.schema)).toEqual(MANIFEST_ENTRY);
      const dataFile = field(file.schema, 'data_file');
      expect(fieldsOf(dataFile)).toEqual(DATA_FILE);
      // the partition tuple: the spec's partition field ids and result types (day → date, bucket → int)
      const partition = field(dataFile, 'partition');
      expect(fieldsOf(partition)).toEqual([
        ['ts_day', 1000, false, 'int'],
        ['id_bucket', 1001, false, 'int'],
      ]);
      expect(field(partition, 'ts_day').logicalType).toBe('date');

      const ours = await manifestRead(io, file.path, schema, spec);
      expect(file.records).toHaveLength(ours.length);
      for (const [i, r] of file.records.entries()) {
        const e = ours[i]!;
        const f = e.dataFile;
        statuses.add(r.status as string);
        expect(r).toMatchObject({
          status: String(e.status),
          snapshot_id: str(e.snapshotId),
          sequence_number: str(e.sequenceNumber),
          file_sequence_number: str(e.fileSequenceNumber),
        });
        const day = f.partition[0] as number | null;
        expect(r.data_file).toEqual({
          content: '0',
          file_path: f.filePath,
          file_format: 'PARQUET',
          partition: {
            ts_day: day === null ? null : { logical: new Date(day * 86_400_000).toISOString().slice(0, 10) },
            id_bucket: String(f.partition[1]),
          },
          record_count: String(f.recordCount),
          file_size_in_bytes: String(f.fileSizeInBytes),
          column_sizes: mapOf(f.columnSizes),
          value_counts: mapOf(f.valueCounts),
          null_value_counts: mapOf(f.nullValueCounts),
          nan_value_counts: mapOf(f.nanValueCounts),
          lower_bounds: mapOf(f.lowerBounds),
          upper_bounds: mapOf(f.upperBounds),
          key_metadata: null,
          split_offsets: f.splitOffsets.length === 0 ? null : f.splitOffsets.map(String),
          equality_ids: null,
          sort_order_id: f.sortOrderId === undefined ? null : String(f.sortOrderId),
        });
      }
    }
    expect([...statuses].sort()).toEqual(['1', '2']);
  });
});
