/**
 * A simulated Cassandra cluster: nodes with vnode tokens in one or more data centres, and replica placement
 * as Cassandra computes it — SimpleStrategy (the next RF distinct nodes clockwise from the token) in one DC,
 * NetworkTopologyStrategy (the next RF distinct nodes of each DC) across several
 * (locator/SimpleStrategy.java, locator/NetworkTopologyStrategy.java; racks are not modelled).
 */
import { Murmur3Token } from '../../reader/index.js';
import { Rng } from './prng.js';

export interface ClusterNode {
  readonly index: number;
  /** Host name, also the folder name in the layouts (Medusa uses the FQDN). */
  readonly name: string;
  readonly dc: string;
  readonly rack: string;
  readonly hostId: string;
  /** Vnode tokens, sorted, as signed 64-bit integers. */
  readonly tokens: readonly bigint[];
}

export interface ClusterSpec {
  readonly nodes: number;
  readonly dcs: number;
  readonly replicationFactor: number;
  readonly numTokens: number;
  readonly seed: number;
}

export interface Cluster {
  readonly spec: ClusterSpec;
  readonly nodes: readonly ClusterNode[];
  /** Every token of the ring, sorted, with its owner. */
  readonly ring: readonly { token: bigint; node: number }[];
  /** The replicas of a partition token, primary first. */
  replicasOf(token: bigint): number[];
}

export function clusterCreate(spec: ClusterSpec): Cluster {
  const rng = new Rng(spec.seed, 0xc1);
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < spec.nodes; i++) {
    const dc = `dc${(i % spec.dcs) + 1}`;
    const tokens: bigint[] = [];
    for (let t = 0; t < spec.numTokens; t++) {
      const hi = rng.u32() | 0;
      const lo = rng.u32();
      tokens.push(new Murmur3Token(hi, lo).toBigInt());
    }
    tokens.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const h = [rng.u32(), rng.u32(), rng.u32(), rng.u32()]
      .map((v) => v.toString(16).padStart(8, '0'))
      .join('');
    nodes.push({
      index: i,
      name: `node${i + 1}.${dc}.cluster.local`,
      dc,
      rack: 'rack1',
      hostId: `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`,
      tokens,
    });
  }
  return { spec, nodes, ...replicaPlacement(nodes, spec.replicationFactor) };
}

/**
 * The ring of `nodes` (any subset of a cluster: a ring before a node joined) and its replica placement at
 * replication factor `rf` per data centre.
 */
export function replicaPlacement(
  nodes: readonly ClusterNode[],
  rf: number,
): Pick<Cluster, 'ring' | 'replicasOf'> {
  const ring = nodes
    .flatMap((n) => n.tokens.map((token) => ({ token, node: n.index })))
    .sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  const dcs = [...new Set(nodes.map((n) => n.dc))];
  const perDc = Math.min(rf, Math.min(...dcs.map((dc) => nodes.filter((n) => n.dc === dc).length)));
  const dcOf = new Map(nodes.map((n) => [n.index, n.dc]));

  function replicasOf(token: bigint): number[] {
    // first ring token >= the partition token (a partition belongs to the range (previous, token])
    let lo = 0;
    let hi = ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ring[mid]!.token < token) lo = mid + 1;
      else hi = mid;
    }
    const out: number[] = [];
    const counts = new Map<string, number>();
    for (let k = 0; k < ring.length && out.length < perDc * dcs.length; k++) {
      const n = ring[(lo + k) % ring.length]!.node;
      if (out.includes(n)) continue;
      const dc = dcOf.get(n)!;
      if ((counts.get(dc) ?? 0) >= perDc) continue;
      counts.set(dc, (counts.get(dc) ?? 0) + 1);
      out.push(n);
    }
    return out;
  }
  return { ring, replicasOf };
}
