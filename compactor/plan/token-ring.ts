/**
 * The token ring as of the backup and replica placement, the way Cassandra computes it
 * (locator/TokenMetadata.java, locator/SimpleStrategy.java, locator/NetworkTopologyStrategy.java; racks are
 * not modelled): a partition token t belongs to the range `(previous ring token, first ring token >= t]`,
 * wrapping past the largest token to the smallest, and its replicas are the next RF distinct nodes
 * clockwise (per data centre for NetworkTopologyStrategy). Murmur3 tokens only, as bigints: the planner
 * runs once per job, never per partition.
 */
import { DatamoveError } from '../../core/index.js';

export const MIN_TOKEN = -(2n ** 63n);
export const MAX_TOKEN = 2n ** 63n - 1n;

export interface RingMember {
  readonly node: string;
  readonly dc?: string;
  readonly tokens: readonly string[];
}

/** A range `(start, end]` of the ring and its replicas, primary first. */
export interface ReplicaRange {
  readonly start: bigint;
  readonly end: bigint;
  readonly replicas: readonly string[];
}

export interface RingPlacement {
  readonly strategy: 'simple' | 'network-topology';
  /** Replicas per range (all DCs together). */
  readonly replicasPerRange: number;
  /** Every range of the ring, in token order, covering (MIN_TOKEN, MAX_TOKEN] exactly once. */
  readonly ranges: readonly ReplicaRange[];
}

/**
 * Places replicas on the ring. `replicationFactor` is per data centre (NetworkTopologyStrategy when the
 * members span several DCs, capped by the smallest DC as the generator does) or in total (SimpleStrategy).
 */
export function ringPlacement(members: readonly RingMember[], replicationFactor: number): RingPlacement {
  const ring = members
    .flatMap((m) => m.tokens.map((t) => ({ token: BigInt(t), node: m.node })))
    .sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  if (ring.length === 0) {
    throw new DatamoveError(
      'NotFound',
      'compactor: the backup records no ring tokens; cannot place replicas',
      {
        context: {},
      },
    );
  }
  for (let i = 1; i < ring.length; i++) {
    if (ring[i]!.token === ring[i - 1]!.token) {
      throw new DatamoveError(
        'DataInvalid',
        `compactor: token ${ring[i]!.token} is claimed by both ${ring[i - 1]!.node} and ${ring[i]!.node}`,
        { context: { token: String(ring[i]!.token) } },
      );
    }
  }
  const dcOf = new Map(members.map((m) => [m.node, m.dc ?? 'dc']));
  const dcs = [...new Set(dcOf.values())];
  const perDc = Math.min(
    replicationFactor,
    Math.min(...dcs.map((dc) => members.filter((m) => (m.dc ?? 'dc') === dc).length)),
  );
  const wanted = perDc * dcs.length;
  const replicasAt = (index: number): string[] => {
    const out: string[] = [];
    const counts = new Map<string, number>();
    for (let k = 0; k < ring.length && out.length < wanted; k++) {
      const n = ring[(index + k) % ring.length]!.node;
      if (out.includes(n)) continue;
      const dc = dcOf.get(n)!;
      if ((counts.get(dc) ?? 0) >= perDc) continue;
      counts.set(dc, (counts.get(dc) ?? 0) + 1);
      out.push(n);
    }
    return out;
  };
  const ranges: ReplicaRange[] = [];
  let prev = MIN_TOKEN;
  for (let i = 0; i < ring.length; i++) {
    const t = ring[i]!.token;
    if (t > prev) ranges.push({ start: prev, end: t, replicas: replicasAt(i) });
    prev = t;
  }
  // the wrapping range: past the last token back to the first ring token
  if (prev < MAX_TOKEN) ranges.push({ start: prev, end: MAX_TOKEN, replicas: replicasAt(0) });
  return { strategy: dcs.length > 1 ? 'network-topology' : 'simple', replicasPerRange: wanted, ranges };
}

/** Replicas a consistency level reads out of `n` (QUORUM counts all DCs, like Cassandra's QUORUM). */
export function replicasNeeded(consistency: 'one' | 'quorum' | 'all', n: number): number {
  if (consistency === 'one') return Math.min(1, n);
  if (consistency === 'all') return n;
  return Math.floor(n / 2) + 1;
}

/**
 * The replication factor a schema.cql declares for the keyspace, when it holds the CREATE KEYSPACE
 * statement (`'replication_factor': 3` or NetworkTopologyStrategy's per-DC factors — the largest is used).
 */
export function replicationFactorFromSchema(
  schemaText: string | undefined,
  keyspace: string,
): number | undefined {
  if (schemaText === undefined) return undefined;
  const re =
    /CREATE\s+KEYSPACE\s+(?:IF\s+NOT\s+EXISTS\s+)?("?)([A-Za-z0-9_]+)\1\s+WITH\s+replication\s*=\s*\{([^}]*)\}/gi;
  for (let m = re.exec(schemaText); m !== null; m = re.exec(schemaText)) {
    if (m[2]!.toLowerCase() !== keyspace.toLowerCase()) continue;
    const factors = [...m[3]!.matchAll(/'([^']+)'\s*:\s*'?(\d+)'?/g)]
      .filter((x) => x[1] !== 'class')
      .map((x) => Number(x[2]));
    if (factors.length > 0) return Math.max(...factors);
  }
  return undefined;
}
