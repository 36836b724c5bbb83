/**
 * `BackupSource` over a local folder (`/backups/cluster1`, `file:///backups/cluster1`): keys are paths
 * below the folder with `/` separators, the ETag is the file's MD5 (as S3 computes it for a single-part
 * upload) computed only when `withEtags` is set, and ranged reads go through the same `ByteSource` as
 * plain local files. Keys are checked (../object-key.ts), so nothing outside the folder is read.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatamoveError } from '../../../core/index.js';
import { localFileSource, objectKeyCheck } from '../../../storage/index.js';
import type { BackupSource, ObjectInfo } from '../backup-source.js';

export interface LocalSourceOptions {
  /** Compute MD5 ETags in `list` and `head` (reads every file; default false). */
  readonly withEtags?: boolean;
}

/** A folder path from a `file://` URI or a plain path. */
export function localPathFromUri(uri: string): string {
  return resolve(uri.startsWith('file://') ? fileURLToPath(uri) : uri);
}

export function localBackupSource(uri: string, options: LocalSourceOptions = {}): BackupSource {
  const root = localPathFromUri(uri);
  const name = root;
  const path = (key: string): string => join(root, ...objectKeyCheck(key, `source: ${name}`).split('/'));
  const md5 = (file: string): Promise<string> =>
    new Promise((ok, fail) => {
      const h = createHash('md5');
      createReadStream(file)
        .on('data', (d) => h.update(d))
        .on('error', fail)
        .on('end', () => ok(h.digest('hex')));
    });
  const info = async (key: string, file: string): Promise<ObjectInfo | undefined> => {
    try {
      const s = await stat(file);
      if (!s.isFile()) return undefined;
      return {
        key,
        size: s.size,
        lastModified: s.mtimeMs,
        ...(options.withEtags ? { etag: await md5(file) } : {}),
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR')
        return undefined;
      throw e;
    }
  };
  return {
    name,
    async list(prefix) {
      const rootStat = await stat(root).catch(() => undefined);
      if (!rootStat?.isDirectory()) {
        throw new DatamoveError('NotFound', `source: ${root}: no such folder`, { context: { file: root } });
      }
      if (prefix !== '') objectKeyCheck(prefix.replace(/\/$/, ''), `source: ${name}`);
      // walk only the folder that holds the prefix's last complete segment
      const cut = prefix.lastIndexOf('/');
      const base = cut < 0 ? '' : prefix.slice(0, cut);
      const out: ObjectInfo[] = [];
      const walk = async (dir: string, keyDir: string): Promise<void> => {
        let entries: import('node:fs').Dirent[];
        try {
          entries = await readdir(dir, { withFileTypes: true });
        } catch (e) {
          if (
            (e as NodeJS.ErrnoException).code === 'ENOENT' ||
            (e as NodeJS.ErrnoException).code === 'ENOTDIR'
          )
            return;
          throw e;
        }
        for (const d of entries) {
          const key = keyDir === '' ? d.name : `${keyDir}/${d.name}`;
          if (!key.startsWith(prefix) && !prefix.startsWith(`${key}/`)) continue;
          if (d.isDirectory()) await walk(join(dir, d.name), key);
          else if (d.isFile() && key.startsWith(prefix)) {
            const i = await info(key, join(dir, d.name));
            if (i) out.push(i);
          }
        }
      };
      await walk(base === '' ? root : join(root, ...base.split('/')), base);
      return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    head: (key) => info(key, path(key)),
    async get(key) {
      try {
        return new Uint8Array(await readFile(path(key)));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
        throw e;
      }
    },
    async getRange(key, start, end) {
      const s = await localFileSource(path(key));
      try {
        return await s.read(start, end);
      } finally {
        await s.close?.();
      }
    },
    open: (key) => localFileSource(path(key)),
    async close() {},
  };
}

/** True when `child` is `parent` or inside it (for callers that resolve paths themselves). */
export function localPathInside(parent: string, child: string): boolean {
  const p = resolve(parent);
  const c = resolve(child);
  return c === p || c.startsWith(p + sep);
}
