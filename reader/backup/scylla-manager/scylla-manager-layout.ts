/**
 * The Scylla Manager layout (scylladb/scylla-manager `docs/source/backup/specification.rst`):
 *
 * ```
 * backup/meta/cluster/<cluster>/dc/<dc>/node/<node>/task_<task>_tag_<sm_YYYYMMDDhhmmssUTC>_manifest.json.gz[.tmp]
 * backup/sst/cluster/<cluster>/dc/<dc>/node/<node>/keyspace/<ks>/table/<table>/<version>/<files>
 * backup/schema/cluster/<cluster>/task_<task>_tag_<tag>_schema_with_internals.json.gz
 * ```
 *
 * A `.tmp` manifest is an upload in progress. The snapshot tag is the backup's time (UTC). SSTable files
 * are shared between backups; when a node reuses a file name for different contents, the older file is
 * renamed `<file>.<tag>` with the tag of the backup that introduced the newer one, so the file for tag T
 * is `<file>.<s>` with the smallest such s > T, else `<file>`.
 */
import { gunzipSync } from 'node:zlib';
import { DatamoveError } from '../../../core/index.js';
import { objectKeyCheck } from '../../../storage/index.js';
import type { BackupProblem, NodeBackup, NodeTableBackup } from '../backup-model.js';
import type { BackupLayout } from '../layout.js';
import { manifestParse, tokenString } from '../manifest-json.js';
import { tableFilterMatches } from '../table-dir.js';
import { smManifestSchema, smSchemaFileSchema } from './scylla-manager-manifest.js';

const META = 'backup/meta/cluster/';
const MANIFEST =
  /^backup\/meta\/cluster\/([^/]+)\/dc\/([^/]+)\/node\/([^/]+)\/task_([^/]+)_tag_(sm_\d{14}UTC)_manifest\.json\.gz(\.tmp)?$/;

/** `sm_20210809095541UTC` → ms since the epoch. */
export function smTagTime(tag: string): number | undefined {
  const m = /^sm_(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})UTC$/.exec(tag);
  if (!m) return undefined;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** The snapshot tag for a time (the inverse of `smTagTime`, to the second). */
export function smTagFor(ms: number): string {
  return `sm_${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}UTC`;
}

function gunzip(bytes: Uint8Array, where: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new DatamoveError('DataInvalid', `${where}: not a gzip file (${(e as Error).message})`, {
      context: { key: where },
      cause: e,
    });
  }
}

export const scyllaManagerLayout: BackupLayout = {
  name: 'scylla-manager',

  async detect(source) {
    return (await source.list(META)).some((o) => MANIFEST.test(o.key));
  },

  async discover(source, filter) {
    const out: NodeBackup[] = [];
    const sstListings = new Map<string, Set<string>>();
    for (const o of await source.list(META)) {
      const m = MANIFEST.exec(o.key);
      if (!m) continue;
      const [, cluster, dc, node, task, tag, tmp] = m as unknown as string[];
      const time = smTagTime(tag!)!;
      const base = {
        layout: 'scylla-manager',
        cluster: cluster!,
        backupId: tag!,
        node: node!,
        dc: dc!,
        time,
      };
      const schemaKey = `backup/schema/cluster/${cluster}/task_${task}_tag_${tag}_schema_with_internals.json.gz`;
      if (tmp) {
        out.push({
          ...base,
          tokens: [],
          schemaKeys: [schemaKey],
          tables: [],
          problems: [
            {
              kind: 'upload-in-progress',
              node: node!,
              key: o.key,
              message: `node ${node}: manifest ${o.key.slice(o.key.lastIndexOf('/') + 1)} still has its .tmp suffix (upload in progress)`,
            },
          ],
        });
        continue;
      }
      const where = `scylla-manager: ${o.key}`;
      const bytes = await source.get(o.key);
      if (bytes === undefined) continue; // deleted since the listing
      const manifest = manifestParse(smManifestSchema, gunzip(bytes, where), where);
      const nodeDir = `backup/sst/cluster/${cluster}/dc/${dc}/node/${node}`;
      const tables: NodeTableBackup[] = [];
      for (const t of manifest.index) {
        if (!tableFilterMatches(filter, t.keyspace, t.table)) continue;
        const dir = `${nodeDir}/keyspace/${t.keyspace}/table/${t.table}/${t.version}`;
        objectKeyCheck(dir, where);
        let present = sstListings.get(dir);
        if (present === undefined) {
          present = new Set((await source.list(`${dir}/`)).map((x) => x.key.slice(dir.length + 1)));
          sstListings.set(dir, present);
        }
        tables.push({
          keyspace: t.keyspace,
          table: t.table,
          tableId: t.version,
          ...(t.size === undefined ? {} : { size: t.size }),
          files: t.files.map((name) => {
            objectKeyCheck(`${dir}/${name}`, where);
            if (name.includes('/')) {
              throw new DatamoveError(
                'DataInvalid',
                `${where}: file name '${name.slice(0, 200)}' contains '/'`,
                {
                  context: { key: o.key },
                },
              );
            }
            return { name, key: `${dir}/${smVersionedName(name, tag!, present)}` };
          }),
        });
      }
      const problems: BackupProblem[] = [];
      out.push({
        ...base,
        ...(manifest.rack === undefined ? {} : { rack: manifest.rack }),
        dc: manifest.dc ?? dc!,
        tokens: (manifest.tokens ?? []).map(tokenString),
        schemaKeys: [schemaKey],
        tables,
        problems,
      });
    }
    return out.sort((a, b) => a.time - b.time || (a.node < b.node ? -1 : 1));
  },

  async schemaText(source, backup) {
    for (const key of backup.schemaKeys) {
      const bytes = await source.get(key);
      if (bytes === undefined) continue;
      const where = `scylla-manager: ${key}`;
      const rows = manifestParse(smSchemaFileSchema, gunzip(bytes, where), where);
      return rows
        .filter((r) => !r.keyspace.startsWith('system'))
        .map((r) => `${r.cql_stmt.trim().replace(/;$/, '')};`)
        .join('\n');
    }
    return undefined;
  },
};

/** The stored name of `name` for the backup tagged `tag` (see the module comment). */
export function smVersionedName(name: string, tag: string, present: ReadonlySet<string>): string {
  let best: string | undefined;
  const prefix = `${name}.`;
  for (const f of present) {
    if (!f.startsWith(prefix)) continue;
    const s = f.slice(prefix.length);
    if (smTagTime(s) !== undefined && s > tag && (best === undefined || s < best)) best = s;
  }
  return best === undefined ? name : `${name}.${best}`;
}
