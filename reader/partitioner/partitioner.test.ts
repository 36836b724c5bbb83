import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import {
  byteOrderedPartitioner,
  murmur3Partitioner,
  orderPreservingPartitioner,
  partitionerForClass,
  randomPartitioner,
  type Token,
} from '../index.js';

const int32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
};
const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));

/** Keys of Index.db in file order (mc/md/me big format; position and promoted-index size are vints). */
function indexKeys(path: string): Uint8Array[] {
  const index = readFileSync(path);
  const keys: Uint8Array[] = [];
  const skipVint = (p: number): number => {
    const first = index[p]!;
    let extra = 0;
    for (let m = 0x80; m > 0 && first & m; m >>= 1) extra++;
    return p + 1 + extra;
  };
  for (let p = 0; p < index.length; ) {
    const len = index.readUInt16BE(p);
    keys.push(new Uint8Array(index.subarray(p + 2, p + 2 + len)));
    p = skipVint(skipVint(p + 2 + len)); // position, promoted index size (0 in these small files)
  }
  return keys;
}

describe('partitionerForClass', () => {
  it.each([
    ['org.apache.cassandra.dht.Murmur3Partitioner', murmur3Partitioner],
    ['Murmur3Partitioner', murmur3Partitioner],
    ['org.apache.cassandra.dht.RandomPartitioner', randomPartitioner],
    ['RandomPartitioner', randomPartitioner],
    ['org.apache.cassandra.dht.ByteOrderedPartitioner', byteOrderedPartitioner],
    ['ByteOrderedPartitioner', byteOrderedPartitioner],
    ['org.apache.cassandra.dht.OrderPreservingPartitioner', orderPreservingPartitioner],
  ])('%s', (name, expected) => {
    const p = partitionerForClass(name);
    expect(p).toBe(expected);
    expect(p.name.endsWith(name.replace('org.apache.cassandra.dht.', ''))).toBe(true);
  });

  it.each([
    'org.apache.cassandra.dht.LocalPartitioner',
    'org.apache.cassandra.dht.CollatingOrderPreservingPartitioner',
    'com.example.MyPartitioner',
    'constructor',
  ])('rejects %s', (name) => {
    try {
      partitionerForClass(name);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DatamoveError);
      expect((e as DatamoveError).kind).toBe('FeatureUnsupported');
      expect((e as DatamoveError).message).toContain(name);
    }
  });

  it('works through the generic interface', () => {
    const p = partitionerForClass('Murmur3Partitioner');
    const tokens: Token[] = [5, 1, 2, 4, 3].map((v) => p.tokenOf(int32(v)));
    expect(tokens.map((t) => p.tokenToString(t))).toEqual([
      '-7509452495886106294',
      '-4069959284402364209',
      '-3248873570005575792',
      '-2729420104000364805',
      '9010454139840013625',
    ]);
    for (let i = 1; i < tokens.length; i++)
      expect(p.compareTokens(tokens[i - 1]!, tokens[i]!)).toBeLessThan(0);
  });
});

describe('Murmur3Partitioner on the corpus', () => {
  it('Index.db of mc-uncompressed-simple is in token order', () => {
    const keys = indexKeys('/work/shared/corpus/mc-uncompressed-simple/mc-1-big-Index.db');
    expect(keys.map((k) => new DataView(k.buffer).getInt32(0))).toEqual([5, 1, 2, 4, 3]);
    const tokens = keys.map((k) => murmur3Partitioner.tokenOf(k));
    for (let i = 1; i < tokens.length; i++) {
      expect(murmur3Partitioner.compareTokens(tokens[i - 1]!, tokens[i]!)).toBeLessThan(0);
    }
  });
});

describe('RandomPartitioner', () => {
  it('matches the DataStax Node.js driver vectors (test/unit/tokenizer-tests.js)', () => {
    expect(randomPartitioner.tokenOf(new Uint8Array([1, 2, 3, 4]))).toBe(
      11748876857495436398853550283091289647n,
    );
    expect(randomPartitioner.tokenOf(new Uint8Array([1, 2, 3, 4, 5, 6]))).toBe(
      141904934057871337334287797400233978956n,
    );
    expect(randomPartitioner.tokenOf(hex('fffafa000102030405fe'))).toBe(
      93979376327542758013347018124903879310n,
    );
    expect(randomPartitioner.tokenOf(hex('f000ee0000'))).toBe(155172302213453714586395175393246848871n);
  });

  it('is |signed MD5| (independent two-complement computation)', () => {
    for (let i = 0; i < 200; i++) {
      const key = int32(i * 7919);
      const d = createHash('md5').update(key).digest();
      const view = new DataView(d.buffer, d.byteOffset, 16);
      const signed = (view.getBigInt64(0) << 64n) | view.getBigUint64(8);
      const expected = signed < 0n ? -signed : signed;
      expect(randomPartitioner.tokenOf(key)).toBe(expected);
      expect(expected <= 1n << 127n).toBe(true);
    }
  });

  it('orders mc-uncompressed-random-partitioner Index.db (1, 2, 3)', () => {
    const keys = indexKeys('/work/shared/corpus/mc-uncompressed-random-partitioner/mc-1-big-Index.db');
    expect(keys.map((k) => new DataView(k.buffer).getInt32(0))).toEqual([1, 2, 3]);
    const tokens = keys.map((k) => randomPartitioner.tokenOf(k));
    for (let i = 1; i < tokens.length; i++) {
      expect(randomPartitioner.compareTokens(tokens[i - 1]!, tokens[i]!)).toBe(-1);
    }
    expect(randomPartitioner.tokenToString(tokens[0]!)).toMatch(/^\d+$/);
  });

  it('empty key has the minimum token -1', () => {
    expect(randomPartitioner.tokenOf(new Uint8Array(0))).toBe(-1n);
  });
});

describe('ByteOrderedPartitioner', () => {
  it('token is a copy of the key bytes, compared unsigned', () => {
    const key = new Uint8Array([0x01, 0xff]);
    const t = byteOrderedPartitioner.tokenOf(key);
    key[0] = 0x02;
    expect(t).toEqual(new Uint8Array([0x01, 0xff]));
    const p = byteOrderedPartitioner;
    expect(p.compareTokens(hex('80'), hex('7f'))).toBeGreaterThan(0);
    expect(p.compareTokens(hex('01'), hex('0100'))).toBeLessThan(0);
    expect(p.compareTokens(hex(''), hex('00'))).toBeLessThan(0);
    expect(p.compareTokens(hex('abcd'), hex('abcd'))).toBe(0);
    expect(p.tokenToString(hex('00ff10'))).toBe('00ff10');
  });
});

describe('OrderPreservingPartitioner', () => {
  it('token is the UTF-8 text, compared by UTF-16 code units', () => {
    const p = orderPreservingPartitioner;
    const t = p.tokenOf(new TextEncoder().encode('héllo'));
    expect(t).toBe('héllo');
    expect(p.tokenToString(t)).toBe('héllo');
    // U+FF5E (one code unit 0xff5e) sorts after U+1F600 (surrogates 0xd83d...) in Java's String.compareTo.
    expect(p.compareTokens('\uff5e', '😀')).toBeGreaterThan(0);
    expect(p.compareTokens('a', 'b')).toBe(-1);
    expect(p.compareTokens('', 'a')).toBe(-1);
  });

  it('falls back to hex for keys that are not UTF-8', () => {
    expect(orderPreservingPartitioner.tokenOf(new Uint8Array([0xc3, 0x28]))).toBe('c328');
  });
});
