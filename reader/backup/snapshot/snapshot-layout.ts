/**
 * The snapshot layout: `nodetool snapshot` output uploaded per node, the simplest layout for users with
 * their own upload script.
 *
 * ```
 * <dc>/<node>/<keyspace>/<table>-<id>/snapshots/<tag>/{<components>, manifest.json, schema.cql}
 * <dc>/<node>/tokenmap/<tag>.json      optional: the ring at snapshot time, Medusa's tokenmap.json shape
 * ```
 *
 * A table snapshot is complete when its manifest.json is there (nodetool writes it after the hard
 * links; upload it last) and every file it lists exists. The backup time is the manifest's `created_at`
 * (Cassandra 4.1+), else the manifest object's modification time. Sizes are not recorded by nodetool;
 * they come from the listing.
 */
import { DatamoveError } from '../../../core/index.js';
import { objectKeyCheck } from '../../../storage/index.js';
import type { ObjectInfo } from '../../source/backup-source.js';
import type { BackupProblem, NodeBackup, NodeTableBackup, RingNode } from '../backup-model.js';
import type { BackupLayout } from '../layout.js';
import { manifestParse, tokenString } from '../manifest-json.js';
import { medusaTokenmapSchema } from '../medusa/medusa-manifest.js';
import { tableDirParse, tableFilterMatches } from '../table-dir.js';
import { snapshotManifestSchema } from './snapshot-manifest.js';

const FILE = /^([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\/snapshots\/([^/]+)\/(.+)$/;
const TOKENMAP = /^([^/]+)\/([^/]+)\/tokenmap\/([^/]+)\.json$/;
const decoder = new TextDecoder();

interface TableAcc {
  keyspace: string;
  dir: string;
  files: Map<string, ObjectInfo>;
}

export const snapshotLayout: BackupLayout = {
  name: 'snapshot',

  async detect(source) {
    return (await source.list('')).some((o) =>
      /^[^/]+\/[^/]+\/[^/]+\/[^/]+\/snapshots\/[^/]+\/manifest\.json$/.test(o.key),
    );
  },

  async discover(source, filter) {
    const nodes = new Map<string, { dc: string; node: string; tag: string; tables: Map<string, TableAcc> }>();
    const tokenmaps = new Map<string, string>();
    for (const o of await source.list('')) {
      const t = TOKENMAP.exec(o.key);
      if (t) {
        tokenmaps.set(`${t[1]}/${t[2]}/${t[3]}`, o.key);
        continue;
      }
      const m = FILE.exec(o.key);
      if (!m) continue;
      const [, dc, node, keyspace, dir, tag, file] = m as unknown as string[];
      if (!tableFilterMatches(filter, keyspace!, tableDirParse(dir!).table)) continue;
      const nk = `${dc}/${node}/${tag}`;
      const n = nodes.get(nk) ?? { dc: dc!, node: node!, tag: tag!, tables: new Map<string, TableAcc>() };
      nodes.set(nk, n);
      const tk = `${keyspace}/${dir}`;
      const t2 = n.tables.get(tk) ?? { keyspace: keyspace!, dir: dir!, files: new Map<string, ObjectInfo>() };
      n.tables.set(tk, t2);
      t2.files.set(file!, o);
    }
    const out: NodeBackup[] = [];
    for (const n of nodes.values()) {
      const problems: BackupProblem[] = [];
      const tables: NodeTableBackup[] = [];
      const schemaKeys: string[] = [];
      let time: number | undefined;
      let fallbackTime: number | undefined;
      for (const t of [...n.tables.values()].sort((a, b) => (a.dir < b.dir ? -1 : 1))) {
        const folder = `${n.dc}/${n.node}/${t.keyspace}/${t.dir}/snapshots/${n.tag}`;
        const { table, id } = tableDirParse(t.dir);
        const manifestInfo = t.files.get('manifest.json');
        const schemaInfo = t.files.get('schema.cql');
        if (schemaInfo) schemaKeys.push(schemaInfo.key);
        for (const x of t.files.values())
          fallbackTime = Math.min(fallbackTime ?? Infinity, x.lastModified ?? Infinity);
        if (!manifestInfo) {
          problems.push({
            kind: 'manifest-missing',
            node: n.node,
            key: `${folder}/manifest.json`,
            message: `node ${n.node}: ${t.keyspace}.${table}: ${folder}/manifest.json missing`,
          });
          continue;
        }
        const where = `snapshot: ${manifestInfo.key}`;
        const bytes = await source.get(manifestInfo.key);
        if (bytes === undefined) continue;
        const manifest = manifestParse(snapshotManifestSchema, bytes, where);
        if (manifest.created_at) {
          const ms = Date.parse(manifest.created_at);
          if (!Number.isFinite(ms)) {
            throw new DatamoveError(
              'DataInvalid',
              `${where}: created_at '${manifest.created_at}' is not a time`,
              {
                context: { key: manifestInfo.key },
              },
            );
          }
          time = Math.min(time ?? ms, ms);
        } else if (manifestInfo.lastModified !== undefined) {
          time = Math.min(time ?? manifestInfo.lastModified, manifestInfo.lastModified);
        }
        tables.push({
          keyspace: t.keyspace,
          table,
          ...(id === undefined ? {} : { tableId: id }),
          files: manifest.files.map((f) => {
            // 4.x lists names relative to the snapshot folder; older versions may list data-folder paths
            const name = f.includes('/') ? f.slice(f.lastIndexOf('/') + 1) : f;
            objectKeyCheck(f, where);
            const key = objectKeyCheck(`${folder}/${name}`, where);
            const size = t.files.get(name)?.size;
            return { name, key, ...(size === undefined ? {} : { size }) };
          }),
        });
      }
      let ring: RingNode[] | undefined;
      const tmKey = tokenmaps.get(`${n.dc}/${n.node}/${n.tag}`);
      if (tmKey) {
        const bytes = await source.get(tmKey);
        if (bytes) {
          const tm = manifestParse(medusaTokenmapSchema, bytes, `snapshot: ${tmKey}`);
          ring = Object.entries(tm).map(([node, v]) => ({
            node,
            ...(v.dc === undefined ? {} : { dc: v.dc }),
            ...(v.rack === undefined ? {} : { rack: v.rack }),
            tokens: (Array.isArray(v.tokens) ? v.tokens : [v.tokens]).map(tokenString),
          }));
        }
      }
      const self = ring?.find((r) => r.node === n.node);
      out.push({
        layout: 'snapshot',
        backupId: n.tag,
        node: n.node,
        dc: n.dc,
        ...(self?.rack === undefined ? {} : { rack: self.rack }),
        tokens: self?.tokens ?? [],
        ...(ring === undefined ? {} : { ring }),
        time: time ?? fallbackTime ?? 0,
        schemaKeys,
        tables,
        problems,
      });
    }
    return out.sort((a, b) => a.time - b.time || (a.node < b.node ? -1 : 1));
  },

  async schemaText(source, backup) {
    const parts: string[] = [];
    for (const key of backup.schemaKeys) {
      const bytes = await source.get(key);
      if (bytes !== undefined) parts.push(decoder.decode(bytes).trim());
    }
    return parts.length === 0 ? undefined : parts.join('\n');
  },
};
