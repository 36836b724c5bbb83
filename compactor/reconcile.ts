/**
 * Cassandra's reconciliation rules, applied when the same cell, row marker or deletion appears in more
 * than one SSTable (db/rows/Cells.java `reconcile`, db/Conflicts.java, db/LivenessInfo.java `supersedes`,
 * db/DeletionTime.java `supersedes`, db/context/CounterContext.java `merge`).
 */

import type { CqlType } from '../reader/index.js';
import {
  CELL_DELETED,
  type Cell,
  counterContextShards,
  type DeletionTime,
  NO_DELETION_TIME,
  NO_TTL,
  toHex,
} from '../reader/index.js';

/** DeletionTime.supersedes: later markedForDeleteAt, then later localDeletionTime. */
export function deletionSupersedes(a: DeletionTime, b: DeletionTime): boolean {
  return (
    a.markedForDeleteAt > b.markedForDeleteAt ||
    (a.markedForDeleteAt === b.markedForDeleteAt && a.localDeletionTime > b.localDeletionTime)
  );
}

export function deletionMax(a: DeletionTime, b: DeletionTime): DeletionTime {
  return deletionSupersedes(b, a) ? b : a;
}

/** Cell.isLive: no deletion time, or an expiring cell not yet expired at `now` (seconds). */
export function cellIsLive(c: Cell, now: number): boolean {
  if ((c.flags & CELL_DELETED) !== 0) return false;
  return c.localDeletionTime === NO_DELETION_TIME || (c.ttl !== NO_TTL && now < c.localDeletionTime);
}

export interface Liveness {
  readonly timestamp: number;
  readonly ttl: number;
  readonly localExpirationTime: number;
}

/** LivenessInfo.EXPIRED_LIVENESS_TTL: marks a row marker that is expired by construction (views). */
const EXPIRED_LIVENESS_TTL = 2147483647;

/** LivenessInfo.supersedes. */
export function livenessSupersedes(a: Liveness, b: Liveness): boolean {
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  const aExpired = a.ttl === EXPIRED_LIVENESS_TTL;
  const bExpired = b.ttl === EXPIRED_LIVENESS_TTL;
  if (aExpired !== bExpired) return aExpired;
  const aExpiring = a.ttl !== NO_TTL;
  const bExpiring = b.ttl !== NO_TTL;
  if (aExpiring === bExpiring) return a.localExpirationTime > b.localExpirationTime;
  return aExpiring;
}

/** Cells.reconcile for two versions of one cell (same column and path); `counter` for counter columns. */
export function cellReconcile(a: Cell, b: Cell, now: number, counter: boolean): Cell {
  const aLive = cellIsLive(a, now);
  const bLive = cellIsLive(b, now);
  if (counter) {
    // a counter tombstone always wins over live counter cells (CASSANDRA-7346)
    if (!aLive) return bLive || a.timestamp > b.timestamp ? a : b;
    if (!bLive) return b;
    return {
      column: a.column,
      flags: 0,
      timestamp: Math.max(a.timestamp, b.timestamp),
      localDeletionTime: NO_DELETION_TIME,
      ttl: NO_TTL,
      path: a.path,
      value: counterContextMerge(a.value, b.value),
    };
  }
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp ? a : b;
  if (aLive !== bLive) return aLive ? b : a;
  const c = compareBytes(a.value, b.value);
  if (c !== 0) return c > 0 ? a : b;
  return a.localDeletionTime < b.localDeletionTime ? b : a;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function isCounter(t: CqlType): boolean {
  return t.kind === 'native' && t.name === 'counter';
}

/**
 * CounterContext.merge: per counter id, a global shard beats a local one, a higher clock beats a lower
 * one, and two local shards add up (pre-2.1 data). The result keeps every shard's kind in its header.
 */
export function counterContextMerge(a: Uint8Array, b: Uint8Array): Uint8Array {
  type S = { id: Uint8Array; key: string; clock: bigint; count: bigint; kind: 'global' | 'local' | 'remote' };
  const merged = new Map<string, S>();
  for (const ctx of [a, b]) {
    for (const s of counterContextShards(ctx)) {
      const key = toHex(s.counterId);
      const prev = merged.get(key);
      const cur: S = { id: s.counterId, key, clock: s.clock, count: s.count, kind: s.kind };
      if (prev === undefined) merged.set(key, cur);
      else merged.set(key, counterShardMerge(prev, cur));
    }
  }
  const shards = [...merged.values()].sort((x, y) => compareBytes(x.id, y.id));
  const header = shards.map((s, i) => ({ s, i })).filter((x) => x.s.kind !== 'remote');
  const out = new Uint8Array(2 + header.length * 2 + shards.length * 32);
  const view = new DataView(out.buffer);
  view.setInt16(0, header.length);
  header.forEach((h, j) => {
    view.setInt16(2 + 2 * j, h.s.kind === 'global' ? h.i - 32768 : h.i);
  });
  let o = 2 + header.length * 2;
  for (const s of shards) {
    out.set(s.id, o);
    view.setBigInt64(o + 16, s.clock);
    view.setBigInt64(o + 24, s.count);
    o += 32;
  }
  return out;
}

function counterShardMerge<S extends { clock: bigint; count: bigint; kind: 'global' | 'local' | 'remote' }>(
  x: S,
  y: S,
): S {
  if (x.kind === 'global' || y.kind === 'global') {
    if (x.kind !== 'global') return y;
    if (y.kind !== 'global') return x;
    if (x.clock !== y.clock) return x.clock > y.clock ? x : y;
    return x.count >= y.count ? x : y;
  }
  if (x.kind === 'local' && y.kind === 'local')
    return { ...x, clock: x.clock + y.clock, count: x.count + y.count };
  if (x.kind === 'local') return x;
  if (y.kind === 'local') return y;
  if (x.clock !== y.clock) return x.clock > y.clock ? x : y;
  return x.count >= y.count ? x : y;
}
