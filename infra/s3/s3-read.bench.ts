/**
 * S3 range-read throughput against the embedded S3: one object read sequentially through
 * `BackupSource.open()` in 1 MiB reads (what the SSTable reader's ChunkStream asks for), with the
 * default 8 MiB requests and read-ahead. Run: `npx tsc -p tsconfig.build.json && node
 * dist/infra/s3/s3-read.bench.js [MiB]`. s3rver serves from local disk in JS, so this measures our
 * client path plus s3rver, not S3 itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s3BackupSource } from '../../reader/index.js';
import { embeddedS3Start } from './embedded-s3.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const mib = Number(process.argv[2] ?? 64);
const dir = mkdtempSync(join(tmpdir(), 'datamove-s3-bench-'));
const s3 = await embeddedS3Start({ dir, buckets: ['bench'] });
try {
  const body = new Uint8Array(mib << 20);
  for (let i = 0; i < body.length; i += 4096) body[i] = i & 0xff;
  await s3.put('bench', 'data/nb-1-big-Data.db', body);
  for (const requestMiB of [1, 8, 16]) {
    const source = s3BackupSource('s3://bench/data', { ...s3.options, requestBytes: requestMiB << 20 });
    const t0 = performance.now();
    const src = await source.open('nb-1-big-Data.db');
    let n = 0;
    for (let at = 0; at < src.byteLength; at += 1 << 20) n += (await src.read(at, at + (1 << 20))).length;
    const s = (performance.now() - t0) / 1000;
    console.log(
      `${requestMiB} MiB requests: ${mib} MiB in ${s.toFixed(2)} s = ${(n / (1 << 20) / s).toFixed(0)} MiB/s`,
    );
    await source.close();
  }
} finally {
  await s3.close();
  rmSync(dir, { recursive: true, force: true });
}
