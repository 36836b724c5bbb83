/**
 * Object keys inside a backup source. A `BackupSource` is rooted at a prefix (`s3://bucket/prefix`, a
 * folder); every key it is asked for is relative to that root and checked here first, so a key read from
 * a manifest (`../other-cluster/x`, `/etc/passwd`, `a//b`) can never reach outside the backup's prefix.
 */
import { DatamoveError } from '../core/index.js';

/**
 * Checks a relative object key: non-empty `/`-separated segments, none of them `.` or `..`, no leading
 * `/`, no backslash or NUL. Returns the key unchanged.
 *
 * @param where - what the key came from, for the message (`medusa: manifest.json of node1/b1`)
 */
export function objectKeyCheck(key: string, where: string): string {
  const bad =
    key.length === 0
      ? 'is empty'
      : key.startsWith('/') || /^[A-Za-z]:[\\/]/.test(key)
        ? 'is an absolute path'
        : key.includes('\\') || key.includes('\0')
          ? 'contains a backslash or NUL'
          : key.split('/').some((s) => s === '..' || s === '.')
            ? "has a '.' or '..' segment"
            : key.split('/').some((s, i, all) => s === '' && i < all.length - 1)
              ? 'has an empty segment'
              : undefined;
  if (bad !== undefined) {
    throw new DatamoveError('DataInvalid', `${where}: object key '${key.slice(0, 200)}' ${bad}`, {
      context: { key: key.slice(0, 200) },
    });
  }
  return key;
}

/** Joins key parts with `/`, dropping empty parts and duplicate slashes at the joins. */
export function objectKeyJoin(...parts: readonly string[]): string {
  return parts
    .map((p) => p.replace(/^\/+|\/+$/g, ''))
    .filter((p) => p.length > 0)
    .join('/');
}

/** The last segment of a key (`a/b/nb-1-big-Data.db` → `nb-1-big-Data.db`). */
export function objectKeyBase(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? key : key.slice(i + 1);
}

/** Everything before the last segment, without the trailing slash (`a/b/c` → `a/b`; `c` → ``). */
export function objectKeyParent(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}
