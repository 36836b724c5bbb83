/**
 * `nodetool snapshot`'s manifest.json (apache/cassandra `db/snapshot/SnapshotManifest.java`):
 * `{"files": [...], "created_at": "<ISO-8601>", "expires_at": …, "ephemeral": …}` (created_at since
 * 4.1; 3.x/4.0 write only `files`). The token map beside a node's snapshots (our addition, see
 * snapshot-layout.ts) has Medusa's tokenmap.json shape.
 */
import { z } from 'zod';

export const snapshotManifestSchema = z.looseObject({
  files: z.array(z.string()),
  created_at: z.union([z.string(), z.number()]).nullable().optional(),
  expires_at: z.union([z.string(), z.number()]).nullable().optional(),
});
