import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusCase } from '../../infra/index.js';
import {
  compareMurmur3Tokens,
  Murmur3Token,
  murmur3Hash128,
  murmur3Token,
  murmur3TokenBigInt,
  murmur3TokenToString,
} from './murmur3.js';

/**
 * Independent BigInt reference of Cassandra's MurmurHash.hash3_x64_128 (seed 0), written from the algorithm
 * description in utils/MurmurHash.java: unsigned little-endian 16-byte blocks; tail bytes sign-extended.
 */
function referenceHash(key: Uint8Array, signedTail = true): [bigint, bigint] {
  const M = (1n << 64n) - 1n;
  const wrap = (x: bigint): bigint => x & M;
  const rotl = (x: bigint, r: bigint): bigint => wrap((x << r) | (x >> (64n - r)));
  const fmix = (k: bigint): bigint => {
    k ^= k >> 33n;
    k = wrap(k * 0xff51afd7ed558ccdn);
    k ^= k >> 33n;
    k = wrap(k * 0xc4ceb9fe1a85ec53n);
    return k ^ (k >> 33n);
  };
  const c1 = 0x87c37b91114253d5n;
  const c2 = 0x4cf5ad432745937fn;
  const block = (p: number): bigint => {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(key[p + i]!);
    return v;
  };
  // Java's (long) of a signed byte, as an unsigned 64-bit pattern.
  const signedByte = (b: number): bigint => wrap(BigInt(b >= 128 && signedTail ? b - 256 : b));
  let h1 = 0n;
  let h2 = 0n;
  const nblocks = key.length >> 4;
  for (let i = 0; i < nblocks; i++) {
    let k1 = block(i * 16);
    let k2 = block(i * 16 + 8);
    k1 = wrap(rotl(wrap(k1 * c1), 31n) * c2);
    h1 ^= k1;
    h1 = wrap(wrap(rotl(h1, 27n) + h2) * 5n + 0x52dce729n);
    k2 = wrap(rotl(wrap(k2 * c2), 33n) * c1);
    h2 ^= k2;
    h2 = wrap(wrap(rotl(h2, 31n) + h1) * 5n + 0x38495ab5n);
  }
  const off = nblocks * 16;
  const rem = key.length & 15;
  let k1 = 0n;
  let k2 = 0n;
  for (let j = rem - 1; j >= 8; j--) k2 ^= wrap(signedByte(key[off + j]!) << BigInt((j - 8) * 8));
  if (rem > 8) {
    k2 = wrap(rotl(wrap(k2 * c2), 33n) * c1);
    h2 ^= k2;
  }
  for (let j = Math.min(rem, 8) - 1; j >= 0; j--) k1 ^= wrap(signedByte(key[off + j]!) << BigInt(j * 8));
  if (rem > 0) {
    k1 = wrap(rotl(wrap(k1 * c1), 31n) * c2);
    h1 ^= k1;
  }
  h1 ^= BigInt(key.length);
  h2 ^= BigInt(key.length);
  h1 = wrap(h1 + h2);
  h2 = wrap(h2 + h1);
  h1 = fmix(h1);
  h2 = fmix(h2);
  h1 = wrap(h1 + h2);
  h2 = wrap(h2 + h1);
  return [BigInt.asIntN(64, h1), BigInt.asIntN(64, h2)];
}

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const int32 = (v: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
};
const int64 = (v: bigint): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v);
  return b;
};
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('murmur3 tokens of Cassandra int keys (cassandra-dtest replication_test.py murmur3_hashes)', () => {
  // Pre-computed by the Cassandra developers for `CREATE TABLE test (id int PRIMARY KEY, ...)`.
  const dtest: Array<[number, bigint]> = [
    [5, -7509452495886106294n],
    [10, -6715243485458697746n],
    [16, -5477287129830487822n],
    [13, -5034495173465742853n],
    [11, -4156302194539278891n],
    [1, -4069959284402364209n],
    [19, -3974532302236993209n],
    [8, -3799847372828181882n],
    [2, -3248873570005575792n],
    [4, -2729420104000364805n],
    [18, -2695747960476065067n],
    [15, -1191135763843456182n],
    [20, 1388667306199997068n],
    [7, 1634052884888577606n],
    [6, 2705480034054113608n],
    [9, 3728482343045213994n],
    [14, 4279681877540623768n],
    [17, 5467144456125416399n],
    [12, 8582886034424406875n],
    [3, 9010454139840013625n],
  ];
  it.each(dtest)('int %i', (v, token) => {
    expect(murmur3TokenBigInt(int32(v))).toBe(token);
    expect(murmur3TokenToString(int32(v))).toBe(token.toString());
  });
});

describe('murmur3 tokens from a Cassandra 5.0 SELECT token(...) characterization (third-party Rust port)', () => {
  // Vectors published with a Rust port of MurmurHash.java, stated to come from `SELECT token(...)` on
  // Cassandra 5.0; they agree with the dtest values above where they overlap.
  const vectors: Array<[string, Uint8Array, bigint]> = [
    ['text a', text('a'), -8839064797231613815n],
    ['text ab', text('ab'), -7815133031266706642n],
    ['text abc', text('abc'), -5434086359492102041n],
    ['text abcd', text('abcd'), -5153323217664422577n],
    ['text abcde', text('abcde'), 2321271983248423864n],
    ['text abcdef', text('abcdef'), -1982280103179862187n],
    ['text abcdefg', text('abcdefg'), -6427428730009885543n],
    ['text abcdefgh', text('abcdefgh'), -3708139591217214462n],
    ['text hello', text('hello'), -3758069500696749310n],
    ['text cassandra', text('cassandra'), 356242581507269238n],
    ['text murmur3', text('murmur3'), 5322121941860471994n],
    ['text test_key_12345', text('test_key_12345'), -3182120811138177122n],
    ['text 15 bytes', text('0123456789abcde'), -6472281833689111727n],
    ['text 16 bytes', text('0123456789abcdef'), 5467490433528156583n],
    ['text 45 bytes', text('this is a longer test key for murmur3 hashing'), -7889617755374116647n],
    ['int 0', int32(0), -3485513579396041028n],
    ['int -1', int32(-1), 7297452126230313552n],
    ['int 42', int32(42), -7160136740246525330n],
    ['int 127', int32(127), 4443639997907684431n],
    ['int 128', int32(128), -9081975895656599623n],
    ['int 255', int32(255), -8423851636648339959n],
    ['int 256', int32(256), 180151580513994396n],
    ['int 1000', int32(1000), 7935772098093053663n],
    ['int -1000', int32(-1000), 5905661066942090405n],
    ['int max', int32(2147483647), -765994672030311617n],
    ['int min', int32(-2147483648), -420533958509279465n],
    ['bigint 0', int64(0n), 2945182322382062539n],
    ['bigint 1', int64(1n), 6292367497774912474n],
    ['bigint -1', int64(-1n), 7071048584287372947n],
    ['bigint max', int64(9223372036854775807n), -1722304415079482439n],
    ['bigint min', int64(-9223372036854775808n), 9204767954415360687n],
    ['uuid zero', new Uint8Array(16), 5457549051747178710n],
    ['uuid ones', new Uint8Array(16).fill(0xff), -2824192546314762522n],
    [
      'uuid 550e8400-e29b-41d4-a716-446655440000',
      bytes(0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4, 0xa7, 0x16, 0x44, 0x66, 0x55, 0x44, 0x00, 0x00),
      4277286421682315655n,
    ],
    [
      'uuid 12345678-1234-1234-1234-123456789abc',
      bytes(0x12, 0x34, 0x56, 0x78, 0x12, 0x34, 0x12, 0x34, 0x12, 0x34, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc),
      -8497799532739775204n,
    ],
    ['blob 00', bytes(0x00), 5048724184180415669n],
    ['blob 80', bytes(0x80), -5284281814142962636n],
    ['blob ff', bytes(0xff), -4442228696663692417n],
    ['blob fffe', bytes(0xff, 0xfe), -2002833339314343643n],
    ['blob 80..89', bytes(0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89), -7623170703309721106n],
    ['blob 01..0f', bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15), 597835946752277653n],
    ['blob 01..10', bytes(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), -5563837382979743776n],
    // Generated (same source) by running the Java hash3_x64_128 itself; h1 = token for these.
    ['ff fe fd', bytes(0xff, 0xfe, 0xfd), 4778542740094909933n],
    ['00 80 ff 01 81 fe 02 82', bytes(0x00, 0x80, 0xff, 0x01, 0x81, 0xfe, 0x02, 0x82), 5298875845197940848n],
    ['17 x ff', new Uint8Array(17).fill(0xff), -4128212798341382003n],
  ];
  it.each(vectors)('%s', (_name, key, token) => {
    expect(murmur3TokenBigInt(key)).toBe(token);
    expect(referenceHash(key)[0]).toBe(token);
  });

  it('composite keys (len:u16, bytes, 0x00 per component)', () => {
    const composite = (...parts: Uint8Array[]): Uint8Array => {
      const out: number[] = [];
      for (const p of parts) out.push(p.length >> 8, p.length & 0xff, ...p, 0);
      return new Uint8Array(out);
    };
    expect(murmur3TokenBigInt(composite(text('hello'), int32(42)))).toBe(7666157718303755816n);
    expect(murmur3TokenBigInt(composite(text('world'), int32(99)))).toBe(-4641306270390207264n);
  });

  it('both halves match the published hash3_x64_128 outputs', () => {
    const out = { h1Hi: 0, h1Lo: 0, h2Hi: 0, h2Lo: 0 };
    const pair = (key: Uint8Array): [bigint, bigint] => {
      murmur3Hash128(key, out);
      return [(BigInt(out.h1Hi) << 32n) + BigInt(out.h1Lo), (BigInt(out.h2Hi) << 32n) + BigInt(out.h2Lo)];
    };
    expect(pair(new Uint8Array(0))).toEqual([0n, 0n]);
    expect(pair(bytes(0x00))).toEqual([5048724184180415669n, 5864299874987029891n]);
    expect(pair(bytes(0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32))).toEqual([
      -46930170645283670n,
      -1407208099063096482n,
    ]);
    expect(pair(bytes(0xff, 0xfe, 0xfd))).toEqual([4778542740094909933n, -8472617770952608660n]);
    expect(pair(new Uint8Array(16).fill(0xff))).toEqual([-2824192546314762522n, -3410324854106180046n]);
    expect(pair(new Uint8Array(17).fill(0xff))).toEqual([-4128212798341382003n, 3989950299795791994n]);
  });
});

describe('murmur3 hash vectors of the DataStax Node.js driver (test/unit/tokenizer-tests.js)', () => {
  const vectors: Array<[number[], bigint]> = [
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], -5563837382979743776n],
    [[2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17], -1513403162740402161n],
    [[0, 1, 2, 3, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255], 6463632673159404390n],
    [new Array(17).fill(254), -1672437813826982685n],
    [[254, 254, 254, 254], 4566408979886474012n],
    [[0, 0, 0, 0], -3485513579396041028n],
    [[0, 1, 127, 127], 6573459401642635627n],
    [[226, 231, 226, 231, 226, 231, 1], 2222373981930033306n],
  ];
  it.each(vectors)('%j', (key, token) => {
    expect(murmur3TokenBigInt(new Uint8Array(key))).toBe(token);
  });
});

describe('sign extension of tail bytes, every tail length (BigInt reference)', () => {
  // No authoritative vectors cover every length with high bytes, so these compare against the independent
  // BigInt reference above (itself checked against the published vectors).
  it('lengths 0..48 with bytes >= 0x80 at every tail position', () => {
    for (let len = 1; len <= 48; len++) {
      for (const fill of [0x80, 0xff, 0x7f, 0x00]) {
        for (let pos = 0; pos < len; pos++) {
          const key = new Uint8Array(len).map((_, i) => (i * 37 + len) & 0x7f);
          key[pos] = fill;
          expect(murmur3TokenBigInt(key)).toBe(normalize(referenceHash(key)[0]));
        }
      }
    }
  });

  it('random keys', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    for (let n = 0; n < 2000; n++) {
      const key = new Uint8Array(1 + (rnd() % 70)).map(() => rnd() & 0xff);
      const out = { h1Hi: 0, h1Lo: 0, h2Hi: 0, h2Lo: 0 };
      murmur3Hash128(key, out);
      const [h1, h2] = referenceHash(key);
      expect((BigInt(out.h1Hi) << 32n) + BigInt(out.h1Lo)).toBe(h1);
      expect((BigInt(out.h2Hi) << 32n) + BigInt(out.h2Lo)).toBe(h2);
    }
  });

  it('differs from reference (unsigned-tail) MurmurHash3 exactly when a tail byte is >= 0x80', () => {
    expect(referenceHash(bytes(0x80), false)[0]).not.toBe(murmur3TokenBigInt(bytes(0x80)));
    expect(referenceHash(new Uint8Array(17).fill(0xff), false)[0]).not.toBe(-4128212798341382003n);
    // Full blocks are read unsigned: 16 x 0xff agrees with the reference algorithm.
    expect(referenceHash(new Uint8Array(16).fill(0xff), false)[0]).toBe(-2824192546314762522n);
    expect(referenceHash(text('hello'), false)[0]).toBe(murmur3TokenBigInt(text('hello')));
  });
});

function normalize(v: bigint): bigint {
  return v === -(1n << 63n) ? (1n << 63n) - 1n : v;
}

describe('token order', () => {
  it('orders int keys as Cassandra does (5, 1, 2, 4, 3), and as a real Index.db lists them', () => {
    const keys = [1, 2, 3, 4, 5];
    const byToken = (a: number, b: number) =>
      compareMurmur3Tokens(murmur3Token(int32(a)), murmur3Token(int32(b)));
    expect([...keys].sort(byToken)).toEqual([5, 1, 2, 4, 3]);
    // Index.db lists partitions in token order: the first SSTable of a Cassandra 4.1 case, pk 0..5
    const dir = corpusCase('nb-deletions-lz4').dir;
    const index = readFileSync(join(dir, 'nb-1-big-Index.db'));
    const fromIndex: number[] = [];
    for (let p = 0; p < index.length; ) {
      const len = index.readUInt16BE(p);
      fromIndex.push(index.readInt32BE(p + 2));
      p += 2 + len;
      // position (unsigned vint: 1 byte when < 0x80, 2 when < 0xc0) and promoted-index size (vint 0)
      const first = index[p]!;
      p += first < 0x80 ? 1 : first < 0xc0 ? 2 : 3;
      p += 1;
    }
    expect(fromIndex).toEqual([0, 1, 2, 3, 4, 5].sort(byToken));
    expect(fromIndex.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('compares as signed 64-bit values', () => {
    const values = [
      -(1n << 63n),
      -(1n << 63n) + 1n,
      -4294967296n,
      -4294967295n,
      -1n,
      0n,
      1n,
      2147483647n,
      2147483648n,
      4294967295n,
      4294967296n,
      (1n << 63n) - 1n,
    ];
    for (let i = 0; i < values.length; i++) {
      for (let j = 0; j < values.length; j++) {
        const c = compareMurmur3Tokens(
          Murmur3Token.fromBigInt(values[i]!),
          Murmur3Token.fromBigInt(values[j]!),
        );
        expect(Math.sign(c)).toBe(Math.sign(i - j));
      }
      expect(Murmur3Token.fromBigInt(values[i]!).toBigInt()).toBe(values[i]);
    }
  });

  it('empty key has the minimum token', () => {
    expect(murmur3TokenBigInt(new Uint8Array(0))).toBe(-(1n << 63n));
  });

  it('writes into a caller-provided token', () => {
    const t = new Murmur3Token();
    expect(murmur3Token(int32(1), t)).toBe(t);
    expect(t.toBigInt()).toBe(-4069959284402364209n);
    expect(t.hi).toBe(Number(-4069959284402364209n >> 32n));
    expect(t.lo).toBe(Number(BigInt.asUintN(32, -4069959284402364209n)));
  });
});
