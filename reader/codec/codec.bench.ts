/**
 * Benchmark (plain script, not a test): decompression throughput of each SSTable chunk codec on 64 KiB
 * chunks of CSV-like text with numbers, plus CRC-32 speed. Codecs follow apache/cassandra
 * `io/compress/*Compressor.java` (see compressor.ts).
 *
 * Run after `npm run build`: `node dist/reader/codec/codec.bench.js`. Or compile just this file:
 * `npx tsc --outDir /tmp/cb --module nodenext --target es2022 --strict --skipLibCheck reader/codec/codec.bench.ts`,
 * then add `{"type":"module"}` as /tmp/cb/package.json, link /tmp/cb/node_modules to ./node_modules, and run
 * `node /tmp/cb/reader/codec/codec.bench.js`.
 */

import { compressorForClass } from './compressor.js';
import { crc32 } from './crc32.js';

const CHUNK = 64 * 1024;
const CHUNKS = 64;

function makeChunk(seed: number): Uint8Array {
  const enc = new TextEncoder();
  const out = new Uint8Array(CHUNK);
  let pos = 0;
  let x = seed >>> 0 || 1;
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
  while (pos < CHUNK) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const line = enc.encode(
      `${names[x & 7]},${x % 100000},order-${(x >>> 8) % 1000000},${((x >>> 3) % 100000) / 100},2024-0${(x % 9) + 1}-1${x % 10}T12:${x % 60}:00Z,ok\n`,
    );
    const n = Math.min(line.length, CHUNK - pos);
    out.set(line.subarray(0, n), pos);
    pos += n;
  }
  return out;
}

function measure(label: string, bytesPerRun: number, run: () => void): void {
  for (let i = 0; i < 3; i++) run(); // warm-up
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < 1.5) {
    run();
    runs++;
    elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  }
  const mbps = (bytesPerRun * runs) / elapsed / (1024 * 1024);
  console.log(`${label.padEnd(28)} ${mbps.toFixed(0).padStart(7)} MB/s`);
}

const chunks = Array.from({ length: CHUNKS }, (_, i) => makeChunk(i + 1));
const total = CHUNK * CHUNKS;
console.log(
  `${CHUNKS} chunks of ${CHUNK} bytes, decompression throughput (MB of uncompressed output per second)`,
);
const dst = new Uint8Array(CHUNK);
for (const name of [
  'LZ4Compressor',
  'SnappyCompressor',
  'DeflateCompressor',
  'ZstdCompressor',
  'NoopCompressor',
]) {
  const { compressor, decompressor } = compressorForClass(name);
  const compressed = chunks.map((c) => compressor.compress(c));
  const ratio = compressed.reduce((a, c) => a + c.length, 0) / total;
  measure(`${decompressor.name} (ratio ${ratio.toFixed(3)})`, total, () => {
    for (const c of compressed) decompressor.decompress(c, dst);
  });
}
measure('crc32', total, () => {
  for (const c of chunks) crc32(c);
});
