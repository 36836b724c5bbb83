import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { compressorForClass } from './compressor.js';
import { crc32 } from './crc32.js';

const CORPUS = '/work/shared/corpus';
const CODECS = ['LZ4Compressor', 'SnappyCompressor', 'DeflateCompressor', 'ZstdCompressor', 'NoopCompressor'];

/** Realistic-ish chunk content: repeated text with changing numbers. */
function sampleData(length: number): Uint8Array {
  const out = new Uint8Array(length);
  const enc = new TextEncoder();
  let pos = 0;
  for (let i = 0; pos < length; i++) {
    const line = enc.encode(`user-${i % 997},order ${i * 7919},amount ${(i * 31) % 10000}.${i % 100},ok\n`);
    out.set(line.subarray(0, Math.min(line.length, length - pos)), pos);
    pos += line.length;
  }
  return out;
}

interface CompressionInfo {
  className: string;
  chunkLength: number;
  dataLength: number;
  offsets: number[];
}

/** Minimal CompressionInfo.db parser (io/compress/CompressionMetadata.java), enough for the tests. */
function readCompressionInfo(path: string): CompressionInfo {
  const b = readFileSync(path);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  const readString = (): string => {
    const n = v.getUint16(p);
    const s = b.subarray(p + 2, p + 2 + n).toString('utf8');
    p += 2 + n;
    return s;
  };
  const className = readString();
  const options = v.getInt32(p);
  p += 4;
  for (let i = 0; i < options * 2; i++) readString();
  const chunkLength = v.getInt32(p);
  p += 4;
  const dataLength = Number(v.getBigInt64(p));
  p += 8;
  const count = v.getInt32(p);
  p += 4;
  const offsets: number[] = [];
  for (let i = 0; i < count; i++, p += 8) offsets.push(Number(v.getBigInt64(p)));
  return { className, chunkLength, dataLength, offsets };
}

describe('compressorForClass', () => {
  it('accepts full and short class names', () => {
    for (const name of CODECS) {
      expect(compressorForClass(name).decompressor.name).toBe(
        compressorForClass(`org.apache.cassandra.io.compress.${name}`).decompressor.name,
      );
    }
    expect(compressorForClass('LZ4Compressor').decompressor.name).toBe('lz4');
    expect(compressorForClass('org.apache.cassandra.io.compress.ZstdCompressor').decompressor.name).toBe(
      'zstd',
    );
  });

  it('rejects unknown classes with FeatureUnsupported naming them', () => {
    for (const name of [
      'org.apache.cassandra.io.compress.ZstdDictionaryCompressor',
      'com.example.Lzo',
      'toString',
    ]) {
      try {
        compressorForClass(name);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DatamoveError);
        expect((e as DatamoveError).kind).toBe('FeatureUnsupported');
        expect((e as DatamoveError).message).toContain(name);
      }
    }
  });
});

describe.each(CODECS)('%s round trip', (name) => {
  const { compressor, decompressor } = compressorForClass(name);

  it.each([0, 1, 100, 4096, 65536])('%i bytes', (length) => {
    const src = sampleData(length);
    const compressed = compressor.compress(src);
    const dst = new Uint8Array(65536);
    expect(decompressor.decompress(compressed, dst)).toBe(length);
    expect(dst.subarray(0, length)).toEqual(src);
  });

  it('decodes into a subarray view and from an offset view', () => {
    const src = sampleData(1000);
    const compressed = compressor.compress(src);
    const backing = new Uint8Array(compressed.length + 10);
    backing.set(compressed, 7);
    const out = new Uint8Array(3000);
    const dst = out.subarray(500, 1500);
    expect(decompressor.decompress(backing.subarray(7, 7 + compressed.length), dst)).toBe(1000);
    expect(dst).toEqual(src);
    expect(out.subarray(0, 500).every((x) => x === 0)).toBe(true);
    expect(out.subarray(1500).every((x) => x === 0)).toBe(true);
  });

  it('raises DataInvalid when the chunk does not fit the buffer', () => {
    const compressed = compressor.compress(sampleData(4096));
    expect(() => decompressor.decompress(compressed, new Uint8Array(4095))).toThrow(DatamoveError);
  });
});

describe('corrupted input', () => {
  const cases: Array<[string, (c: Uint8Array) => Uint8Array]> = [
    ['truncated', (c) => c.subarray(0, Math.floor(c.length / 2))],
    ['garbage', () => new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05])],
    ['too short', (c) => c.subarray(0, 2)],
  ];
  for (const name of ['LZ4Compressor', 'SnappyCompressor', 'DeflateCompressor', 'ZstdCompressor']) {
    const { compressor, decompressor } = compressorForClass(name);
    const good = compressor.compress(sampleData(8192));
    it.each(cases)(`${name}: %s`, (_label, mutate) => {
      try {
        decompressor.decompress(mutate(good), new Uint8Array(65536));
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DatamoveError);
        expect((e as DatamoveError).kind).toBe('DataInvalid');
        expect((e as DatamoveError).message).toMatch(/^sstable: /);
      }
    });
  }

  it('LZ4: a length prefix that disagrees with the block is rejected', () => {
    const { compressor, decompressor } = compressorForClass('LZ4Compressor');
    const c = compressor.compress(sampleData(1000)).slice();
    new DataView(c.buffer, c.byteOffset).setUint32(0, 1200, true);
    expect(() => decompressor.decompress(c, new Uint8Array(65536))).toThrow(/decoded 1000 bytes/);
    new DataView(c.buffer, c.byteOffset).setUint32(0, 0xffffffff, true);
    expect(() => decompressor.decompress(c, new Uint8Array(65536))).toThrow(/exceeds/);
  });

  it('Deflate: a flipped bit fails the Adler-32 check', () => {
    const { compressor, decompressor } = compressorForClass('DeflateCompressor');
    const c = compressor.compress(sampleData(1000)).slice();
    c[c.length - 1]! ^= 0x01;
    expect(() => decompressor.decompress(c, new Uint8Array(65536))).toThrow(DatamoveError);
  });

  it('Zstd: a flipped bit in the content checksum is detected', () => {
    const { compressor, decompressor } = compressorForClass('ZstdCompressor');
    const c = compressor.compress(sampleData(1000)).slice();
    c[c.length - 1]! ^= 0x01;
    expect(() => decompressor.decompress(c, new Uint8Array(65536))).toThrow(DatamoveError);
  });
});

describe('real Cassandra chunks from the corpus', () => {
  it.each([
    ['mc-lz4-primitive-types', 'LZ4Compressor'],
    ['mc-snappy-primitive-types', 'SnappyCompressor'],
    ['mc-deflate-primitive-types', 'DeflateCompressor'],
    ['mc-zstd-multiple-chunks', 'ZstdCompressor'],
  ])('%s', (dir, expectedClass) => {
    const info = readCompressionInfo(join(CORPUS, dir, 'mc-1-big-CompressionInfo.db'));
    expect(info.className).toBe(expectedClass);
    const data = readFileSync(join(CORPUS, dir, 'mc-1-big-Data.db'));
    const { decompressor } = compressorForClass(info.className);
    const chunk = new Uint8Array(info.chunkLength);
    let total = 0;
    let fileCrc = 0;
    for (let i = 0; i < info.offsets.length; i++) {
      const start = info.offsets[i]!;
      const end = (i + 1 < info.offsets.length ? info.offsets[i + 1]! : data.length) - 4;
      const compressed = data.subarray(start, end);
      // The chunk's CRC-32 (big-endian int) follows it; incremental crc32 over the whole file too.
      expect(crc32(compressed)).toBe(data.readUInt32BE(end));
      fileCrc = crc32(data.subarray(start, end + 4), fileCrc);
      const n = decompressor.decompress(compressed, chunk);
      const expected = Math.min(info.chunkLength, info.dataLength - total);
      expect(n).toBe(expected);
      total += n;
    }
    expect(total).toBe(info.dataLength);
    // Digest.crc32 holds the CRC-32 of the whole Data.db in decimal.
    const digest = Number(readFileSync(join(CORPUS, dir, 'mc-1-big-Digest.crc32'), 'utf8').trim());
    expect(fileCrc).toBe(digest);
    expect(crc32(data)).toBe(digest);
  });

  it.each([
    'mc-lz4-primitive-types',
    'mc-snappy-primitive-types',
    'mc-deflate-primitive-types',
    'mc-zstd-multiple-chunks',
  ])('%s: first chunk starts with the first partition key of Index.db', (dir) => {
    const data = readFileSync(join(CORPUS, dir, 'mc-1-big-Data.db'));
    const info = readCompressionInfo(join(CORPUS, dir, 'mc-1-big-CompressionInfo.db'));
    const index = readFileSync(join(CORPUS, dir, 'mc-1-big-Index.db'));
    const end = (info.offsets.length > 1 ? info.offsets[1]! : data.length) - 4;
    const out = new Uint8Array(info.chunkLength);
    compressorForClass(info.className).decompressor.decompress(data.subarray(0, end), out);
    // Both Index.db entries and Data.db partitions start with a u16 key length and the key bytes.
    const keyLength = index.readUInt16BE(0);
    expect(out.subarray(0, 2 + keyLength)).toEqual(new Uint8Array(index.subarray(0, 2 + keyLength)));
  });
});

describe('crc32', () => {
  it('matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
  });

  it('is incremental and accepts a signed previous value', () => {
    const data = sampleData(10_000);
    const whole = crc32(data);
    for (const cut of [0, 1, 4999, 10_000]) {
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)))).toBe(whole);
      expect(crc32(data.subarray(cut), crc32(data.subarray(0, cut)) | 0)).toBe(whole);
    }
  });
});
