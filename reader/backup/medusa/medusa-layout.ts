/**
 * The Medusa layout (thelastpickle/cassandra-medusa, `docs/design.md`):
 *
 * ```
 * <fqdn>/<backup>/meta/{schema.cql, tokenmap.json, manifest.json, server_version.json[, differential]}
 * <fqdn>/<backup>/data/<ks>/<table-dir>/<files>   full backups
 * <fqdn>/data/<ks>/<table-dir>/<files>            differential backups (shared by manifests)
 * index/backup_index/<backup>/{tokenmap_<fqdn>.json, schema_<fqdn>.cql, manifest_<fqdn>.json,
 *                              started_<fqdn>_<ts>.timestamp, finished_<fqdn>_<ts>.timestamp}
 * ```
 *
 * schema.cql is written first (backup started), manifest.json last (backup complete). The index objects
 * are used instead of listing the bucket when they exist; without them, `<fqdn>/<backup>/meta/` objects
 * are found by a listing and their modification times give started/finished. Manifest paths are keys
 * from the bucket root; a storage prefix before `<fqdn>/` is dropped, and every key is checked to stay
 * inside the source.
 */
import { DatamoveError } from '../../../core/index.js';
import { objectKeyBase, objectKeyCheck } from '../../../storage/index.js';
import type { BackupSource, ObjectInfo } from '../../source/backup-source.js';
import type { BackupProblem, NodeBackup, NodeTableBackup, RingNode, TableFilter } from '../backup-model.js';
import type { BackupLayout } from '../layout.js';
import { manifestParse, tokenString } from '../manifest-json.js';
import { tableDirParse, tableFilterMatches } from '../table-dir.js';
import { medusaManifestSchema, medusaTokenmapSchema } from './medusa-manifest.js';

const INDEX = 'index/backup_index/';
const decoder = new TextDecoder();

interface Found {
  fqdn: string;
  name: string;
  started?: number;
  finished?: number;
  manifestKeys: string[];
  tokenmapKeys: string[];
  schemaKeys: string[];
}

export const medusaLayout: BackupLayout = {
  name: 'medusa',

  async detect(source) {
    if ((await source.list(INDEX)).length > 0) return true;
    return (await source.list('')).some((o) => /^[^/]+\/[^/]+\/meta\/schema\.cql$/.test(o.key));
  },

  async discover(source, filter) {
    const found = new Map<string, Found>();
    const at = (fqdn: string, name: string): Found => {
      const k = `${fqdn}\u0000${name}`;
      const f = found.get(k) ?? { fqdn, name, manifestKeys: [], tokenmapKeys: [], schemaKeys: [] };
      found.set(k, f);
      return f;
    };
    const index = await source.list(INDEX);
    if (index.length > 0) {
      for (const o of index) {
        const rest = o.key.slice(INDEX.length);
        const slash = rest.indexOf('/');
        if (slash < 0) continue;
        const name = rest.slice(0, slash);
        const file = rest.slice(slash + 1);
        const started = /^started_(.+)_(\d+)\.timestamp$/.exec(file);
        const finished = /^finished_(.+)_(\d+)\.timestamp$/.exec(file);
        const manifest = /^manifest_(.+)\.json$/.exec(file);
        const tokenmap = /^tokenmap_(.+)\.json$/.exec(file);
        const schema = /^schema_(.+)\.cql$/.exec(file);
        if (started) at(started[1]!, name).started = Number(started[2]) * 1000;
        else if (finished) at(finished[1]!, name).finished = Number(finished[2]) * 1000;
        else if (manifest) at(manifest[1]!, name).manifestKeys.push(o.key);
        else if (tokenmap) at(tokenmap[1]!, name).tokenmapKeys.push(o.key);
        else if (schema) at(schema[1]!, name).schemaKeys.push(o.key);
      }
    } else {
      const meta = new Map<string, ObjectInfo>();
      for (const o of await source.list('')) {
        const m = /^([^/]+)\/([^/]+)\/meta\/([^/]+)$/.exec(o.key);
        if (!m || m[2] === 'data') continue;
        meta.set(o.key, o);
        const f = at(m[1]!, m[2]!);
        if (m[3] === 'schema.cql') {
          f.schemaKeys.push(o.key);
          if (o.lastModified !== undefined) f.started = o.lastModified;
        }
      }
      for (const f of found.values()) {
        const base = `${f.fqdn}/${f.name}/meta/`;
        const manifest = meta.get(`${base}manifest.json`);
        if (manifest) {
          f.manifestKeys.push(manifest.key);
          if (manifest.lastModified !== undefined) f.finished = manifest.lastModified;
        }
        if (meta.has(`${base}tokenmap.json`)) f.tokenmapKeys.push(`${base}tokenmap.json`);
      }
    }
    const out: NodeBackup[] = [];
    for (const f of [...found.values()].sort((a, b) => (a.name + a.fqdn < b.name + b.fqdn ? -1 : 1))) {
      out.push(await nodeBackupRead(source, f, filter));
    }
    return out;
  },

  async schemaText(source, backup) {
    for (const key of backup.schemaKeys) {
      const bytes = await source.get(key);
      if (bytes !== undefined) return decoder.decode(bytes);
    }
    return undefined;
  },
};

async function nodeBackupRead(source: BackupSource, f: Found, filter: TableFilter): Promise<NodeBackup> {
  const metaDir = `${f.fqdn}/${f.name}/meta`;
  const problems: BackupProblem[] = [];
  // the meta/ copies are the authority; the index copies are the same bytes written after them
  let manifestKey: string | undefined;
  let manifestBytes: Uint8Array | undefined;
  for (const key of [`${metaDir}/manifest.json`, ...f.manifestKeys]) {
    manifestBytes = await source.get(key);
    if (manifestBytes !== undefined) {
      manifestKey = key;
      break;
    }
  }
  const tables: NodeTableBackup[] = [];
  if (manifestBytes === undefined) {
    problems.push({
      kind: 'manifest-missing',
      node: f.fqdn,
      key: `${metaDir}/manifest.json`,
      message: `node ${f.fqdn}: ${metaDir}/manifest.json missing (backup started, never completed)`,
    });
  } else {
    const where = `medusa: ${manifestKey}`;
    const manifest = manifestParse(medusaManifestSchema, manifestBytes, where);
    for (const section of manifest) {
      const { table, id } = tableDirParse(section.columnfamily);
      if (!tableFilterMatches(filter, section.keyspace, table)) continue;
      tables.push({
        keyspace: section.keyspace,
        table,
        ...(id === undefined ? {} : { tableId: id }),
        files: section.objects.map((o) => {
          const key = medusaObjectKey(o.path, f.fqdn, where);
          return { name: objectKeyBase(key), key, size: o.size, ...(o.MD5 ? { md5: o.MD5 } : {}) };
        }),
      });
    }
  }
  let ring: RingNode[] | undefined;
  for (const key of [`${metaDir}/tokenmap.json`, ...f.tokenmapKeys]) {
    const bytes = await source.get(key);
    if (bytes === undefined) continue;
    const tm = manifestParse(medusaTokenmapSchema, bytes, `medusa: ${key}`);
    ring = Object.entries(tm).map(([node, v]) => ({
      node,
      ...(v.dc === undefined ? {} : { dc: v.dc }),
      ...(v.rack === undefined ? {} : { rack: v.rack }),
      tokens: (Array.isArray(v.tokens) ? v.tokens : [v.tokens]).map(tokenString),
    }));
    break;
  }
  const self = ring?.find((r) => r.node === f.fqdn);
  const time = f.started ?? f.finished;
  if (time === undefined) {
    throw new DatamoveError(
      'DataInvalid',
      `medusa: backup ${f.name} of ${f.fqdn}: no start time (no schema.cql, no index timestamp)`,
      {
        context: { key: metaDir },
      },
    );
  }
  return {
    layout: 'medusa',
    backupId: f.name,
    node: f.fqdn,
    ...(self?.dc === undefined ? {} : { dc: self.dc }),
    ...(self?.rack === undefined ? {} : { rack: self.rack }),
    tokens: self?.tokens ?? [],
    ...(ring === undefined ? {} : { ring }),
    time,
    ...(f.finished === undefined ? {} : { finishedAt: f.finished }),
    schemaKeys: [`${metaDir}/schema.cql`, ...f.schemaKeys],
    tables,
    problems,
  };
}

/**
 * A manifest path → a key inside the source: checked as written (no `..`, not absolute), then anything
 * before `<fqdn>/` (Medusa's storage prefix, which the source URI already includes) is dropped.
 */
export function medusaObjectKey(path: string, fqdn: string, where: string): string {
  objectKeyCheck(path, where);
  if (path.startsWith(`${fqdn}/`)) return path;
  const i = path.indexOf(`/${fqdn}/`);
  if (i < 0) {
    throw new DatamoveError(
      'DataInvalid',
      `${where}: object '${path.slice(0, 200)}' is not under the node's folder ${fqdn}/`,
      {
        context: { key: path.slice(0, 200) },
      },
    );
  }
  return path.slice(i + 1);
}
