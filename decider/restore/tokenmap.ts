/**
 * `--topology tokenmap.json`: the target cluster's token ring, so a restore writes one SSTable set per token
 * range. Two shapes are accepted (zod-validated):
 *
 *   {"nodes": [{"node": "10.0.0.1", "dc": "dc1", "tokens": ["-9223372036854775808", "-3074457345618258603"]}]}
 *
 * or Medusa's tokenmap.json (`{"10.0.0.1": {"tokens": [...], "dc": "dc1", ...}}`). Tokens are Murmur3 tokens,
 * as decimal strings or JSON integers (read exactly: 64-bit integers are quoted before parsing).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DatamoveError } from '../../core/index.js';

const token = z
  .union([z.string().regex(/^-?\d+$/, 'must be an integer token'), z.number().int()])
  .transform((t) => BigInt(t))
  .refine((t) => t >= -(2n ** 63n) && t < 2n ** 63n, 'must be a Murmur3 token (signed 64-bit)');

const nodeSchema = z
  .object({ node: z.string().min(1), dc: z.string().min(1).optional(), tokens: z.array(token).min(1) })
  .strict();
const listSchema = z.object({ nodes: z.array(nodeSchema).min(1) }).strict();
const medusaSchema = z.record(
  z.string().min(1),
  z.object({ tokens: z.array(token).min(1), dc: z.string().optional() }).passthrough(),
);

/** One token range `(start, end]` of the ring and the node whose token ends it (its primary replica). */
export interface TopologyRange {
  readonly index: number;
  readonly start: bigint;
  readonly end: bigint;
  readonly node: string;
}

export interface Topology {
  readonly nodes: readonly {
    readonly node: string;
    readonly dc?: string;
    readonly tokens: readonly bigint[];
  }[];
  /** Ranges in token order; the last one wraps around (its start is the greatest token). */
  readonly ranges: readonly TopologyRange[];
}

/** Parses a tokenmap document (see the module comment); `file` names it in errors. */
export function topologyParse(text: string, file: string): Topology {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/([[,:]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"$2"'));
  } catch (e) {
    throw new DatamoveError('InvalidArgument', `restore: ${file}: not valid JSON: ${(e as Error).message}`, {
      context: { file },
    });
  }
  const isList = typeof doc === 'object' && doc !== null && 'nodes' in doc;
  const r = isList ? listSchema.safeParse(doc) : medusaSchema.safeParse(doc);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new DatamoveError(
      'InvalidArgument',
      `restore: ${file}: ${issue.path.join('.') || '(document)'}: ${issue.message}`,
      { context: { file, field: issue.path.join('.') } },
    );
  }
  const nodes = isList
    ? (r.data as z.output<typeof listSchema>).nodes.map((n) => ({
        node: n.node,
        ...(n.dc === undefined ? {} : { dc: n.dc }),
        tokens: n.tokens,
      }))
    : Object.entries(r.data as z.output<typeof medusaSchema>).map(([node, v]) => ({
        node,
        ...(v.dc === undefined ? {} : { dc: v.dc }),
        tokens: v.tokens,
      }));
  const ring = nodes
    .flatMap((n) => n.tokens.map((t) => ({ token: t, node: n.node })))
    .sort((a, b) => (a.token < b.token ? -1 : a.token > b.token ? 1 : 0));
  for (let i = 1; i < ring.length; i++)
    if (ring[i]!.token === ring[i - 1]!.token)
      throw new DatamoveError(
        'InvalidArgument',
        `restore: ${file}: token ${ring[i]!.token} is owned by both ${ring[i - 1]!.node} and ${ring[i]!.node}`,
        { context: { file } },
      );
  const ranges: TopologyRange[] = ring.map((r, i) => ({
    index: i,
    start: ring[(i + ring.length - 1) % ring.length]!.token,
    end: r.token,
    node: r.node,
  }));
  return { nodes, ranges };
}

export function topologyLoad(path: string): Topology {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DatamoveError(
      'NotFound',
      `restore: ${path}: cannot read the token map (${(e as Error).message})`,
      {
        context: { file: path },
      },
    );
  }
  return topologyParse(text, path);
}

/** The range holding `token`: the first range whose end is >= token, else the wrapping (first) range. */
export function topologyRangeOf(t: Topology, token: bigint): TopologyRange {
  const r = t.ranges;
  let lo = 0;
  let hi = r.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (r[mid]!.end < token) lo = mid + 1;
    else hi = mid;
  }
  return lo === r.length ? r[0]! : r[lo]!;
}
