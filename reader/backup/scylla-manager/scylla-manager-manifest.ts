/**
 * Scylla Manager's files (scylladb/scylla-manager `docs/source/backup/specification.rst`): the gzipped
 * per-node manifest `{version, cluster_name, ip, index: [{keyspace, table, version, files[], size}],
 * size, tokens[], schema, rack, dc, cluster_id, node_id, task_id, snapshot_tag, …}` and the schema
 * file `…_schema_with_internals.json.gz`, the rows of `DESCRIBE SCHEMA WITH INTERNALS`
 * (`[{keyspace, type, name, cql_stmt}]`). Lenient with extra properties.
 */
import { z } from 'zod';

const token = z.union([z.string().regex(/^-?\d+$/), z.number().int()]);

export const smManifestSchema = z.looseObject({
  version: z.string().optional(),
  cluster_name: z.string().optional(),
  ip: z.string().optional(),
  index: z.array(
    z.looseObject({
      keyspace: z.string().min(1),
      table: z.string().min(1),
      version: z.string().min(1),
      files: z.array(z.string()),
      size: z.number().int().nonnegative().optional(),
    }),
  ),
  size: z.number().int().nonnegative().optional(),
  tokens: z.array(token).optional(),
  schema: z.string().optional(),
  rack: z.string().optional(),
  dc: z.string().optional(),
  cluster_id: z.string().optional(),
  node_id: z.string().optional(),
  task_id: z.string().optional(),
  snapshot_tag: z.string().optional(),
});

export type SmManifest = z.output<typeof smManifestSchema>;

export const smSchemaFileSchema = z.array(
  z.looseObject({
    keyspace: z.string(),
    type: z.string(),
    name: z.string(),
    cql_stmt: z.string(),
  }),
);
