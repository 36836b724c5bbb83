/**
 * `FileIO` over a local folder. URIs are `file:///abs/path` or absolute paths. Writes go to a temporary
 * sibling and are renamed into place, so a crash never leaves a partial data or metadata file under its
 * final name (the temporary files are what `table clean` removes).
 */

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DatamoveError } from '../../../core/index.js';
import type { FileInfo, FileIO } from '../file-io.js';

export interface LocalFileIOOptions {
  /**
   * Serve another URI prefix from a local folder (e.g. `http://127.0.0.1:8080/` → `/tmp/wh/`), so tables
   * whose location is an HTTP URL can be written locally and read by HTTP-only readers.
   */
  readonly prefix?: { readonly uri: string; readonly path: string };
}

/** Local-folder FileIO. */
export class LocalFileIO implements FileIO {
  readonly #prefix: { readonly uri: string; readonly path: string } | undefined;

  constructor(options: LocalFileIOOptions = {}) {
    this.#prefix = options.prefix;
  }

  /** The local path of a URI. */
  pathOf(uri: string): string {
    if (this.#prefix !== undefined && uri.startsWith(this.#prefix.uri)) {
      return join(this.#prefix.path, uri.slice(this.#prefix.uri.length));
    }
    if (uri.startsWith('file:')) return fileURLToPath(uri);
    if (uri.startsWith('/')) return uri;
    throw new DatamoveError(
      'InvalidArgument',
      `iceberg: ${uri} is not a local location (file:// or an absolute path)`,
      {
        context: { uri },
      },
    );
  }

  #uriOf(path: string, like: string): string {
    if (this.#prefix !== undefined && like.startsWith(this.#prefix.uri)) {
      return this.#prefix.uri + path.slice(this.#prefix.path.replace(/\/+$/, '').length + 1);
    }
    return like.startsWith('file:') ? pathToFileURL(path).href : path;
  }

  async read(uri: string): Promise<Uint8Array> {
    try {
      return await readFile(this.pathOf(uri));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new DatamoveError('NotFound', `iceberg: ${uri} not found`, { context: { uri }, cause: e });
      }
      throw e;
    }
  }

  async write(uri: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(uri);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  }

  async exists(uri: string): Promise<boolean> {
    try {
      await stat(this.pathOf(uri));
      return true;
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<FileInfo[]> {
    const base = this.pathOf(prefix);
    // list the folder that holds the prefix, then filter by the prefix itself
    const isDir = prefix.endsWith('/');
    const dir = isDir ? base : dirname(base);
    const out: FileInfo[] = [];
    const walk = async (d: string): Promise<void> => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(d, e.name);
        if (e.isDirectory()) await walk(p);
        else if (e.isFile() && (isDir || p.startsWith(base))) {
          const s = await stat(p);
          out.push({ uri: this.#uriOf(p, prefix), size: s.size, lastModified: s.mtimeMs });
        }
      }
    };
    await walk(dir);
    return out.sort((a, b) => (a.uri < b.uri ? -1 : 1));
  }

  async delete(uri: string): Promise<void> {
    await rm(this.pathOf(uri), { force: true });
  }
}
