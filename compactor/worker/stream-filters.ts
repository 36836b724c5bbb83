/**
 * Small `PartitionStream` transformers a task stacks under the merge:
 * - `partitionsInRanges`: only partitions whose token lies in the node's owned sub-ranges of the task, so
 *   stale data (ranges the node gave away before `nodetool cleanup`) and partitions read past a range's
 *   end are never merged;
 * - `writtenAtOrBefore` (`--as-of T`): every cell, row marker, row / range / partition / complex deletion
 *   written after T (microseconds) is dropped, before reconciliation — the table as it was at T, finer
 *   than backup granularity. Range tombstone markers keep their place with a LIVE deletion, so open and
 *   close bounds stay paired;
 * - `partitionStreamConcat`: the byte ranges of one SSTable, scanned one after the other.
 * Each is a `SyncPartitionStream`: it passes partitions and unfiltereds through without a promise of its own.
 */
import {
  type Cell,
  compareMurmur3Tokens,
  type DeletionTime,
  LIVE,
  MARKER,
  Murmur3Token,
  murmur3Token,
  NO_DELETION_TIME,
  NO_TIMESTAMP,
  NO_TTL,
  NOT_READY,
  type NotReady,
  type PartitionStart,
  type PartitionStream,
  partitionStreamSync,
  type Row,
  type SyncPartitionStream,
  syncPartitionStream,
  type Unfiltered,
} from '../../reader/index.js';
import type { TokenRange } from '../plan/plan-model.js';

/** Owned ranges `(start, end]` as Murmur3 tokens, for a binary search per partition. */
export function tokenRangesCompile(
  ranges: readonly TokenRange[],
): { start: Murmur3Token; end: Murmur3Token }[] {
  return ranges.map((r) => ({
    start: Murmur3Token.fromBigInt(BigInt(r.start)),
    end: Murmur3Token.fromBigInt(BigInt(r.end)),
  }));
}

export function partitionsInRanges(stream: PartitionStream, ranges: readonly TokenRange[]): PartitionStream {
  const compiled = tokenRangesCompile(ranges);
  const tok = new Murmur3Token();
  const inside = (key: Uint8Array): boolean => {
    murmur3Token(key, tok);
    let lo = 0;
    let hi = compiled.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = compiled[mid]!;
      if (compareMurmur3Tokens(tok, r.start) <= 0) hi = mid - 1;
      else if (compareMurmur3Tokens(tok, r.end) > 0) lo = mid + 1;
      else return true;
    }
    return false;
  };
  const s = partitionStreamSync(stream);
  return syncPartitionStream({
    tryNextPartition() {
      for (;;) {
        const p = s.tryNextPartition();
        if (p === NOT_READY || p === undefined || inside(p.key)) return p;
      }
    },
    tryNextUnfiltered: () => s.tryNextUnfiltered(),
    ready: () => s.ready(),
  });
}

function deletionAsOf(d: DeletionTime, t: number): DeletionTime {
  return d.markedForDeleteAt > t ? LIVE : d;
}

function rowAsOf(row: Row, t: number): Row {
  let cells: readonly Cell[] = row.cells;
  for (let i = 0; i < cells.length; i++) {
    if (cells[i]!.timestamp > t) {
      cells = cells.filter((c) => c.timestamp <= t);
      break;
    }
  }
  const markerLate = row.timestamp !== NO_TIMESTAMP && row.timestamp > t;
  const deletion = deletionAsOf(row.deletion, t);
  const complex =
    row.complexDeletions === null || row.complexDeletions.every((c) => c.deletion.markedForDeleteAt <= t)
      ? row.complexDeletions
      : row.complexDeletions.filter((c) => c.deletion.markedForDeleteAt <= t);
  if (cells === row.cells && !markerLate && deletion === row.deletion && complex === row.complexDeletions)
    return row;
  return {
    ...row,
    cells,
    ...(markerLate ? { timestamp: NO_TIMESTAMP, ttl: NO_TTL, localExpirationTime: NO_DELETION_TIME } : {}),
    deletion,
    complexDeletions: complex,
  };
}

/** Drops everything written after `asOfMicros`. */
export function writtenAtOrBefore(stream: PartitionStream, asOfMicros: number): PartitionStream {
  const t = asOfMicros;
  const s = partitionStreamSync(stream);
  return syncPartitionStream({
    tryNextPartition(): PartitionStart | undefined | NotReady {
      const p = s.tryNextPartition();
      if (p === undefined || p === NOT_READY) return p;
      return {
        ...p,
        deletion: deletionAsOf(p.deletion, t),
        staticRow: p.staticRow === null ? null : rowAsOf(p.staticRow, t),
      };
    },
    tryNextUnfiltered(): Unfiltered | null | NotReady {
      const u = s.tryNextUnfiltered();
      if (u === null || u === NOT_READY) return u;
      if (u.kind === MARKER) {
        const deletion = deletionAsOf(u.deletion, t);
        const endDeletion = u.endDeletion === null ? null : deletionAsOf(u.endDeletion, t);
        return deletion === u.deletion && endDeletion === u.endDeletion ? u : { ...u, deletion, endDeletion };
      }
      return rowAsOf(u, t);
    },
    ready: () => s.ready(),
  });
}

/** Streams scanned one after another (ascending, disjoint byte ranges of one SSTable); opened lazily. */
export function partitionStreamConcat(parts: readonly (() => PartitionStream)[]): PartitionStream {
  let i = 0;
  let current: SyncPartitionStream | undefined;
  return syncPartitionStream({
    tryNextPartition() {
      for (;;) {
        if (current === undefined) {
          if (i >= parts.length) return undefined;
          current = partitionStreamSync(parts[i++]!());
        }
        const p = current.tryNextPartition();
        if (p !== undefined) return p;
        current = undefined;
      }
    },
    tryNextUnfiltered: () => (current === undefined ? null : current.tryNextUnfiltered()),
    ready: () => (current === undefined ? Promise.resolve() : current.ready()),
  });
}
