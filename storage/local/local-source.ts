/** Local files as `ByteSource`s (positional reads through one file handle per file). */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DatamoveError } from '../../core/index.js';
import type { ByteSource, ByteSourceDirectory } from '../byte-source.js';

export async function localFileSource(path: string): Promise<ByteSource> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw notFound(path, e);
  }
  const { size } = await handle.stat();
  return {
    name: path,
    byteLength: size,
    async read(start: number, end: number): Promise<Uint8Array> {
      const length = Math.max(0, Math.min(end, size) - start);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await handle.read(out, done, length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done === length ? out : out.subarray(0, done);
    },
    close: () => handle.close(),
  };
}

export function localDirectory(path: string): ByteSourceDirectory {
  return {
    name: path,
    async list() {
      try {
        return (await readdir(path)).sort();
      } catch (e) {
        throw notFound(path, e);
      }
    },
    open: (fileName) => localFileSource(join(path, fileName)),
    async readAll(fileName) {
      try {
        return new Uint8Array(await readFile(join(path, fileName)));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw e;
      }
    },
  };
}

/** A path that may be a folder or a single component file: the folder and, for a file, its name. */
export async function localResolve(path: string): Promise<{ dir: string; file?: string }> {
  let s: Awaited<ReturnType<typeof stat>>;
  try {
    s = await stat(path);
  } catch (e) {
    throw notFound(path, e);
  }
  return s.isDirectory() ? { dir: path } : { dir: dirname(path), file: basename(path) };
}

function notFound(path: string, cause: unknown): DatamoveError {
  return new DatamoveError('NotFound', `source: ${path}: no such file or folder`, {
    context: { file: path },
    cause,
  });
}
