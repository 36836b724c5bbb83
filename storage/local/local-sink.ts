/** Local folders as `SinkDirectory`: each file is written as `<name>.tmp-<pid>` and renamed when closed. */
import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteSink, SinkDirectory } from '../byte-sink.js';

export async function localSinkDirectory(path: string): Promise<SinkDirectory> {
  await mkdir(path, { recursive: true });
  return {
    name: path,
    async create(fileName) {
      const final = join(path, fileName);
      const tmp = `${final}.tmp-${process.pid}`;
      const handle = await open(tmp, 'w');
      let closed = false;
      const sink: ByteSink = {
        name: final,
        async write(bytes) {
          let done = 0;
          while (done < bytes.length) {
            const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
            done += bytesWritten;
          }
        },
        async close() {
          if (closed) return;
          closed = true;
          await handle.close();
          await rename(tmp, final);
        },
        async abort() {
          if (!closed) {
            closed = true;
            await handle.close();
          }
          await rm(tmp, { force: true });
        },
      };
      return sink;
    },
    async writeAll(fileName, bytes) {
      const final = join(path, fileName);
      const tmp = `${final}.tmp-${process.pid}`;
      await writeFile(tmp, bytes);
      await rename(tmp, final);
    },
  };
}
