/**
 * Sets of real nodes for the harness: one node, or a cluster of `n` nodes on 127.0.0.1 … 127.0.0.n
 * (all of 127.0.0.0/8 is on lo) with evenly spread single tokens, sharing a free storage and native port.
 * `withNodes` stops every node it started, whatever happens.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import cassandra from 'cassandra-driver';
import { CassandraNode, DC, freePort, type SSTableFormatName } from './node.js';
import type { CassandraRuntime } from './runtime.js';

export interface NodeSet {
  readonly nodes: readonly CassandraNode[];
  readonly nativePort: number;
}

/** Evenly spread Murmur3 tokens for n single-token nodes. */
export function evenTokens(n: number): string[] {
  const span = 2n ** 64n;
  return Array.from({ length: n }, (_, i) => (-(2n ** 63n) + (span * BigInt(i)) / BigInt(n)).toString());
}

export async function nodeSetCreate(
  runtime: CassandraRuntime,
  dir: string,
  n: number,
  format: SSTableFormatName = 'big',
): Promise<NodeSet> {
  const addresses = Array.from({ length: n }, (_, i) => `127.0.0.${i + 1}`);
  const storagePort = await freePort(addresses);
  const nativePort = await freePort(addresses, new Set([storagePort]));
  const used = new Set([storagePort, nativePort]);
  const tokens = evenTokens(n);
  const nodes: CassandraNode[] = [];
  for (let i = 0; i < n; i++) {
    const jmxPort = await freePort(['127.0.0.1'], used);
    used.add(jmxPort);
    const nodeDir = join(dir, `node${i + 1}`);
    mkdirSync(nodeDir, { recursive: true });
    nodes.push(
      new CassandraNode({
        runtime,
        dir: nodeDir,
        address: addresses[i]!,
        seeds: addresses,
        storagePort,
        nativePort,
        jmxPort,
        initialToken: tokens[i]!,
        format,
        heapMiB: n === 1 ? 768 : 512,
      }),
    );
  }
  return { nodes, nativePort };
}

/** Starts the nodes one after the other (the first is up before the next joins). */
export async function nodeSetStart(set: NodeSet): Promise<void> {
  for (const node of set.nodes) await node.start();
}

export async function nodeSetStop(set: NodeSet): Promise<void> {
  await Promise.all(set.nodes.map((n) => n.stop()));
}

/** A driver client for the given nodes (default all), protocol v5 where the server has it. */
export async function clientFor(set: NodeSet, only?: readonly CassandraNode[]): Promise<cassandra.Client> {
  const nodes = only ?? set.nodes;
  const client = new cassandra.Client({
    contactPoints: nodes.map((n) => `${n.address}:${set.nativePort}`),
    localDataCenter: DC,
    protocolOptions: { port: set.nativePort },
    encoding: { map: Map, set: Set },
    socketOptions: { readTimeout: 60_000, connectTimeout: 20_000 },
    policies: {
      loadBalancing: new cassandra.policies.loadBalancing.WhiteListPolicy(
        new cassandra.policies.loadBalancing.RoundRobinPolicy(),
        nodes.map((n) => `${n.address}:${set.nativePort}`),
      ),
      retry: new cassandra.policies.retry.RetryPolicy(),
      reconnection: new cassandra.policies.reconnection.ConstantReconnectionPolicy(1000),
    },
  });
  await client.connect();
  return client;
}

/** Runs `f` with started nodes and stops them all afterwards. */
export async function withNodes<T>(set: NodeSet, f: () => Promise<T>): Promise<T> {
  try {
    await nodeSetStart(set);
    return await f();
  } finally {
    await nodeSetStop(set);
  }
}
