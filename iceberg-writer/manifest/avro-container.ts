/**
 * Avro object container files (Avro 1.11 spec, "Object Container Files") written and read in memory, with
 * avsc for record encoding. Manifests and manifest lists are a few KB to a few MB, so one buffer is right;
 * the deflate codec is what Iceberg's Java writer uses. Longs decode as `bigint` (snapshot ids use all 64
 * bits); they encode from `bigint` or safe-integer `number`.
 */
import { randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import avro from 'avsc';
import { dataInvalid } from '../../core/index.js';

const MAGIC = Buffer.from([0x4f, 0x62, 0x6a, 0x01]);

const bigLong = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint | number) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(BigInt(n));
    return b;
  },
  fromJSON: (n: unknown) => BigInt(n as number),
  toJSON: (n: bigint) => Number(n),
  isValid: (n: unknown) => typeof n === 'bigint' || (typeof n === 'number' && Number.isSafeInteger(n)),
  compare: (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0),
});

/** avsc type of a schema, with 64-bit longs. */
export function avroType(schema: object): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    typeHook: (s) =>
      s === 'long' || (typeof s === 'object' && (s as { type?: unknown }).type === 'long')
        ? bigLong
        : undefined,
    wrapUnions: false,
  });
}

function zigzag(n: number): Buffer {
  // Avro long, small values only (counts and lengths)
  let v = n >= 0 ? n * 2 : -n * 2 - 1;
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function readZigzag(buf: Buffer, pos: { p: number }): number {
  let v = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos.p++];
    if (b === undefined) throw dataInvalid(`avro: truncated varint at offset ${pos.p}`);
    v += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) break;
    mul *= 128;
  }
  return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
}

/** Encodes records into one container file (a single block). */
export function avroContainerWrite(
  schema: object,
  records: readonly unknown[],
  metadata: Record<string, string>,
  codec: 'deflate' | 'null' = 'deflate',
): Uint8Array {
  const type = avroType(schema);
  const sync = randomBytes(16);
  const meta: Record<string, string> = {
    'avro.schema': JSON.stringify(schema),
    'avro.codec': codec,
    ...metadata,
  };
  const parts: Buffer[] = [MAGIC];
  const entries = Object.entries(meta);
  parts.push(zigzag(entries.length));
  for (const [k, v] of entries) {
    const kb = Buffer.from(k, 'utf8');
    const vb = Buffer.from(v, 'utf8');
    parts.push(zigzag(kb.length), kb, zigzag(vb.length), vb);
  }
  parts.push(zigzag(0), sync);
  if (records.length > 0) {
    const raw = Buffer.concat(records.map((r) => type.toBuffer(r)));
    const body = codec === 'deflate' ? deflateRawSync(raw) : raw;
    parts.push(zigzag(records.length), zigzag(body.length), body, sync);
  }
  return Buffer.concat(parts);
}

export interface AvroContainer {
  readonly metadata: Record<string, string>;
  readonly schema: unknown;
  readonly records: unknown[];
}

/** Decodes a container file with its own (writer) schema. */
export function avroContainerRead(bytes: Uint8Array, file = 'avro file'): AvroContainer {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 4 || !buf.subarray(0, 4).equals(MAGIC))
    throw dataInvalid(`avro: ${file} is not an Avro container file`);
  const pos = { p: 4 };
  const metadata: Record<string, string> = {};
  for (;;) {
    let count = readZigzag(buf, pos);
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      readZigzag(buf, pos);
    }
    for (let i = 0; i < count; i++) {
      const kl = readZigzag(buf, pos);
      const k = buf.toString('utf8', pos.p, pos.p + kl);
      pos.p += kl;
      const vl = readZigzag(buf, pos);
      metadata[k] = buf.toString('utf8', pos.p, pos.p + vl);
      pos.p += vl;
    }
  }
  const sync = buf.subarray(pos.p, pos.p + 16);
  pos.p += 16;
  const schema = JSON.parse(metadata['avro.schema'] ?? 'null');
  const type = avroType(schema);
  const codec = metadata['avro.codec'] ?? 'null';
  const records: unknown[] = [];
  while (pos.p < buf.length) {
    const n = readZigzag(buf, pos);
    const size = readZigzag(buf, pos);
    const body = buf.subarray(pos.p, pos.p + size);
    pos.p += size;
    if (!buf.subarray(pos.p, pos.p + 16).equals(sync))
      throw dataInvalid(`avro: ${file}: bad sync marker at offset ${pos.p}`);
    pos.p += 16;
    const raw = codec === 'deflate' ? inflateRawSync(body) : body;
    let off = 0;
    for (let i = 0; i < n; i++) {
      const r = type.decode(raw, off);
      if (r.offset < 0) throw dataInvalid(`avro: ${file}: truncated record ${i}`);
      records.push(r.value);
      off = r.offset;
    }
  }
  return { metadata, schema, records };
}
