import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { fromHex, toHex } from './binary.js';
import { counterContextShards, counterContextTotal, counterContextTotalNumber } from './counter-context.js';

function at(hex: string): Uint8Array {
  const b = fromHex(hex.replace(/\s/g, ''));
  const buf = new Uint8Array(b.length + 4);
  buf.set(b, 1);
  return buf.subarray(1, 1 + b.length);
}

// Cell value of pk=1 in mc-uncompressed-counters/mc-1-big-Data.db: one global shard (header 0x8000).
const CORPUS = '0001 8000 59b8272099b04033885ce94d62106a35 00056e6f7608d1e0 0000000000000003';

describe('counter context', () => {
  it('totals and lists the corpus shard', () => {
    const b = at(CORPUS);
    expect(counterContextTotal(b)).toBe(3n);
    expect(counterContextTotalNumber(b)).toBe(3);
    const shards = [...counterContextShards(b)];
    expect(shards).toHaveLength(1);
    expect(toHex(shards[0]!.counterId)).toBe('59b8272099b04033885ce94d62106a35');
    expect(shards[0]!.clock).toBe(1528799884268000n);
    expect(shards[0]!.count).toBe(3n);
    expect(shards[0]!.kind).toBe('global');
  });

  it('marks local, global and remote shards and sums all of them', () => {
    const id = (x: string) => x.repeat(16);
    const b = at(
      `0002 0000 8002 ${id('01')} 0000000000000001 000000000000000a ${id('02')} 0000000000000002 fffffffffffffffe ${id('03')} 0000000000000003 0000000000000005`,
    );
    expect([...counterContextShards(b)].map((s) => s.kind)).toEqual(['local', 'remote', 'global']);
    expect(counterContextTotal(b)).toBe(13n);
    expect(counterContextTotalNumber(b)).toBe(13);
  });

  it('falls back to bigint beyond 2^53', () => {
    const b = at(`0000 ${'11'.repeat(16)} 0000000000000001 7fffffffffffffff`);
    expect(counterContextTotal(b)).toBe(9223372036854775807n);
    expect(counterContextTotalNumber(b)).toBeUndefined();
  });

  it('rejects malformed contexts', () => {
    expect(() => counterContextTotal(at('00'))).toThrow(DatamoveError);
    expect(() => counterContextTotal(at('0001 8000 00'))).toThrow(/not a whole number/);
    expect(() => counterContextTotal(at('0005 0000'))).toThrow(DatamoveError);
  });
});
