/**
 * Spec test vectors (format/spec.md Appendix B bucket hashes), single-value serialization, and reading the
 * manifests and metadata of real Spark/Java tables (../shared/iceberg-fixtures).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
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
