/**
 * Spec test vectors (format/spec.md Appendix B bucket hashes), single-value serialization, the CQL type
 * mapping, and reading the manifests and metadata of real Spark/Java tables (../shared/iceberg-fixtures).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { CqlType, NativeTypeName } from '../../reader/cql/cql-type.js';
import { LocalFileIO } from '../io/local/local-file-io.js';
import { manifestListRead, manifestRead } from '../manifest/manifest-file.js';
import {
  metadataParse,
  metadataSchema,
  metadataSnapshot,
  metadataSpec,
  metadataStringify,
} from '../metadata/table-metadata.js';
import { decimalToBytes, truncateUpper } from '../parquet/single-value.js';
import { arrowSchemaFromIceberg } from '../schema/arrow-schema.js';
import { icebergSchemaFromTable } from '../schema/cql-mapping.js';
import { murmur3Bytes, murmur3Int, murmur3Long } from '../write/murmur3.js';

const FIXTURES =
  process.env.DATAMOVE_ICEBERG_FIXTURES ??
  new URL('../../../shared/iceberg-fixtures', import.meta.url).pathname;

describe('bucket hash (spec Appendix B)', () => {
  const enc = new TextEncoder();
  it('matches the spec values', () => {
    expect(murmur3Int(34)).toBe(2017239379);
    expect(murmur3Long(34, 0)).toBe(2017239379);
    expect(murmur3Int(17_486)).toBe(-653330422); // date 2017-11-16
    // time 22:31:08 = 81068000000 µs; timestamp 2017-11-16T22:31:08 = 1510871468000000 µs
    const long = (v: bigint) =>
      murmur3Long(Number(BigInt.asIntN(32, v)), Number(BigInt.asIntN(32, v >> 32n)));
    expect(long(81_068_000_000n)).toBe(-662762989);
    expect(long(1_510_871_468_000_000n)).toBe(-2047944441);
    expect(murmur3Bytes(enc.encode('iceberg'))).toBe(1210000089);
    expect(murmur3Bytes(Uint8Array.of(0, 1, 2, 3))).toBe(-188683207);
    expect(murmur3Bytes(decimalToBytes(1420n))).toBe(-500754589);
    const uuid = Uint8Array.from(Buffer.from('f79c3e09677c4bbda4793f349cb785e7', 'hex'));
    expect(murmur3Bytes(uuid)).toBe(1488055340);
  });
  it('truncated upper bounds stay above the value', () => {
    expect(truncateUpper('abcdefghijklmnopqrs', 16)).toBe('abcdefghijklmnoq');
    expect(decimalToBytes(-1n)).toEqual(Uint8Array.of(0xff));
    expect(decimalToBytes(128n)).toEqual(Uint8Array.of(0x00, 0x80));
  });
});

describe('CQL mapping', () => {
  it('maps a table model to an Iceberg schema and an Arrow schema with field ids', () => {
    const n = (name: NativeTypeName): CqlType => ({ kind: 'native', name });
    const mapping = icebergSchemaFromTable(
      {
        keyspace: 'ks',
        name: 't',
        partitionKey: [{ name: 'k', type: n('uuid') }],
        clustering: [{ name: 'c', type: { kind: 'reversed', inner: n('timestamp') } }],
        columns: [
          { id: 0, name: 'v', type: n('varint'), kind: 'regular', complex: false, hidden: false },
          {
            id: 1,
            name: 'm',
            type: { kind: 'map', key: n('text'), value: n('decimal'), frozen: false },
            kind: 'regular',
            complex: true,
            hidden: false,
          },
          { id: 2, name: 'd', type: n('duration'), kind: 'regular', complex: false, hidden: false },
          {
            id: 3,
            name: 'vec',
            type: { kind: 'vector', element: n('float'), dimension: 3 },
            kind: 'regular',
            complex: false,
            hidden: false,
          },
          {
            id: 4,
            name: 'tu',
            type: { kind: 'tuple', elements: [n('int'), n('inet')] },
            kind: 'regular',
            complex: false,
            hidden: false,
          },
        ],
        compactStorage: false,
        fromSchema: true,
      },
      { vector: 'fixed-size-list' },
    );
    const f = mapping.schema.fields;
    expect(f.map((x) => [x.id, x.name, x.required])).toEqual([
      [1, 'k', true],
      [2, 'c', true],
      [3, 'v', false],
      [4, 'm', false],
      [5, 'd', false],
      [6, 'vec', false],
      [7, 'tu', false],
    ]);
    expect(f[0]!.type).toBe('uuid');
    expect(f[1]!.type).toBe('timestamptz');
    expect(f[2]!.type).toBe('decimal(38, 0)');
    expect(f[3]!.type).toEqual({
      type: 'map',
      'key-id': 8,
      key: 'string',
      'value-id': 9,
      value: 'string',
      'value-required': false,
    });
    expect(mapping.schema['identifier-field-ids']).toEqual([1, 2]);
    const arrow = arrowSchemaFromIceberg(mapping.schema, { fixedSizeLists: mapping.fixedSizeLists });
    expect(String(arrow.fields[5]!.type)).toContain('FixedSizeList[3]');
    expect(arrow.fields[3]!.metadata.get('PARQUET:field_id')).toBe('4');
  });
});

describe.skipIf(!existsSync(FIXTURES))('real tables (shared/iceberg-fixtures)', () => {
  for (const [name, records] of [
    ['spark-bunnies', 20],
    ['java-bunnies', 22],
    ['spark-rename-column', 4],
  ] as const) {
    it(`${name}: metadata round-trips with exact snapshot ids; manifests decode`, async () => {
      const dir = `${FIXTURES}/${name}`;
      const hint = (await readFile(`${dir}/metadata/version-hint.text`, 'utf8')).trim();
      const text = await readFile(`${dir}/metadata/v${hint}.metadata.json`, 'utf8');
      const m = metadataParse(text);
      const snap = metadataSnapshot(m)!;
      expect(text).toContain(String(snap['snapshot-id']));
      expect(metadataParse(metadataStringify(m))['current-snapshot-id']).toBe(m['current-snapshot-id']);
      expect(snap.summary['total-records']).toBe(String(records));
      const io = new LocalFileIO();
      const local = (p: string) => p.replace(m.location, dir);
      const lists = await manifestListRead(io, local(snap['manifest-list']));
      let rows = 0;
      for (const mf of lists) {
        if (mf.content !== 0) continue;
        for (const e of await manifestRead(
          io,
          local(mf.manifestPath),
          metadataSchema(m),
          metadataSpec(m, mf.partitionSpecId),
        )) {
          if (e.status !== 2) rows += e.dataFile.recordCount;
        }
      }
      expect(rows).toBe(records);
    });
  }
});
