/**
 * Medusa's metadata files (thelastpickle/cassandra-medusa `medusa/storage/node_backup.py`,
 * `medusa/backup_node.py`, `medusa/index.py`): manifest.json — a list of `{keyspace, columnfamily,
 * objects: [{path, MD5, size}]}` where `path` is the object's key from the bucket root and MD5 its
 * checksum as the store reports it; tokenmap.json — `{fqdn: {tokens, is_up, rack, dc}}`. Lenient with
 * extra properties: Medusa writes them, not us.
 */
import { z } from 'zod';

export const medusaManifestSchema = z.array(
  z.looseObject({
    keyspace: z.string().min(1),
    columnfamily: z.string().min(1),
    objects: z.array(
      z.looseObject({
        path: z.string(),
        MD5: z.string().optional(),
        size: z.number().int().nonnegative(),
      }),
    ),
  }),
);

export type MedusaManifest = z.output<typeof medusaManifestSchema>;

const token = z.union([z.string().regex(/^-?\d+$/), z.number().int()]);

export const medusaTokenmapSchema = z.record(
  z.string(),
  z.looseObject({
    tokens: z.union([z.array(token), token]),
    is_up: z.boolean().optional(),
    rack: z.string().optional(),
    dc: z.string().optional(),
  }),
);

export type MedusaTokenmap = z.output<typeof medusaTokenmapSchema>;
