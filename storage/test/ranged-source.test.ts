/**
 * Range reads the way the SSTable reader uses them: requests of a fixed block size, read-ahead for a
 * sequential reader within the memory budget, bounded concurrency, and retries with backoff on
 * throttling, 5xx and truncated bodies — with a fake object store, fixed seeds and no sleeping.
 */
import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { concurrencyLimit } from '../concurrency-limit.js';
import { memoryBudget } from '../memory-budget.js';
import { objectKeyCheck } from '../object-key.js';
import { rangedByteSource } from '../ranged-source.js';
import { retryDelay, withRetry } from '../retry.js';
import { s3Error } from '../s3/s3-errors.js';
import { s3OptionsResolve } from '../s3/s3-options.js';

const object = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);

function fakeStore() {
  const requests: [number, number][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const fetch = async (s: number, e: number): Promise<Uint8Array> => {
    requests.push([s, e]);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    return object.slice(s, e);
  };
  return { fetch, requests, maxInFlight: () => maxInFlight };
}

describe('rangedByteSource', () => {
  it('reads in blocks, reads ahead for a sequential reader and returns the right bytes', async () => {
    const store = fakeStore();
    const src = rangedByteSource('obj', object.length, store.fetch, {
      blockBytes: 1000,
      readAheadBlocks: 2,
      limit: concurrencyLimit(2),
      budget: memoryBudget(1 << 20),
    });
    const out: Uint8Array[] = [];
    for (let at = 0; at < object.length; at += 300) out.push(await src.read(at, at + 300));
    expect(Buffer.concat(out)).toEqual(Buffer.from(object));
    // every block fetched exactly once, in block-sized requests
    expect(store.requests.map(([s]) => s).sort((a, b) => a - b)).toEqual([
      0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000,
    ]);
    expect(store.requests.every(([s, e]) => e - s === 1000)).toBe(true);
    expect(store.maxInFlight()).toBeLessThanOrEqual(2);
    // a read across blocks is stitched together
    expect(await src.read(950, 2050)).toEqual(object.subarray(950, 2050));
  });

  it('reads ahead only while the memory budget has room', async () => {
    const store = fakeStore();
    const src = rangedByteSource('obj', object.length, store.fetch, {
      blockBytes: 1000,
      readAheadBlocks: 4,
      limit: concurrencyLimit(4),
      budget: memoryBudget(0),
    });
    await src.read(0, 10);
    await src.read(10, 20);
    expect(store.requests).toEqual([[0, 1000]]);
  });
});

describe('withRetry', () => {
  const classify = (e: unknown) => s3Error(e, 'GET', 'bucket', 'key');
  const slowDown = Object.assign(new Error('Please reduce your request rate.'), {
    name: 'SlowDown',
    $metadata: { httpStatusCode: 503 },
  });

  it('retries throttling, 5xx, resets and truncated bodies with jittered exponential backoff', async () => {
    const failures: unknown[] = [
      slowDown,
      Object.assign(new Error('internal'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      new DatamoveError('DataInvalid', 's3: GET s3://bucket/key: truncated body: 3 of 10 bytes', {
        retryable: true,
      }),
    ];
    const sleeps: number[] = [];
    let calls = 0;
    const v = await withRetry(
      async () => {
        calls++;
        if (failures.length > 0) throw failures.shift();
        return 'ok';
      },
      classify,
      { maxAttempts: 6, baseDelayMs: 100, maxDelayMs: 1000 },
      { random: () => 0.5, sleep: async (ms) => void sleeps.push(ms) },
    );
    expect(v).toBe('ok');
    expect(calls).toBe(5);
    expect(sleeps).toEqual([50, 100, 200, 400]);
    expect(retryDelay({ maxAttempts: 9, baseDelayMs: 100, maxDelayMs: 1000 }, 8, () => 0.999)).toBe(999);
  });

  it('gives up after maxAttempts with one line, and never retries a missing bucket or bad credentials', async () => {
    let calls = 0;
    const sleep = async () => {};
    await expect(
      withRetry(
        async () => {
          calls++;
          throw slowDown;
        },
        classify,
        { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
        { sleep },
      ),
    ).rejects.toThrow(/^s3: GET s3:\/\/bucket\/key: HTTP 503 SlowDown \(after 3 attempts\)$/);
    expect(calls).toBe(3);
    for (const name of ['NoSuchBucket', 'InvalidAccessKeyId', 'AccessDenied']) {
      calls = 0;
      await expect(
        withRetry(
          async () => {
            calls++;
            throw Object.assign(new Error(name), {
              name,
              $metadata: { httpStatusCode: name === 'NoSuchBucket' ? 404 : 403 },
            });
          },
          classify,
          undefined,
          { sleep },
        ),
      ).rejects.toThrow(/^s3: GET s3:\/\/bucket\/key: /);
      expect(calls).toBe(1);
    }
  });
});

describe('object keys and options', () => {
  it('rejects keys that would leave the prefix', () => {
    for (const k of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/./b', 'C:\\x', '']) {
      expect(() => objectKeyCheck(k, 'test')).toThrow(/^test: object key/);
    }
    expect(objectKeyCheck('a/b/nb-1-big-Data.db', 'test')).toBe('a/b/nb-1-big-Data.db');
  });

  it('validates S3 options with the path of the bad field, never echoing secrets', () => {
    expect(s3OptionsResolve({ endpoint: 'http://localhost:4566' }).forcePathStyle).toBe(true);
    expect(s3OptionsResolve({}).requestBytes).toBe(8 << 20);
    expect(() => s3OptionsResolve({ concurrency: 0 }, 'job.source.s3')).toThrow(
      /^job\.source\.s3\.concurrency: /,
    );
    expect(() => s3OptionsResolve({ endpoint: 'not a url' })).toThrow(/^s3\.endpoint: /);
    expect(() =>
      s3OptionsResolve({
        credentials: { accessKeyId: 'AKIA', secretAccessKey: 'supersecret', extra: 1 },
        bogus: 1,
      }),
    ).toThrow(/^s3: Unrecognized key/);
    try {
      s3OptionsResolve({ credentials: { accessKeyId: 'AKIA', secretAccessKey: 7 } });
    } catch (e) {
      expect((e as Error).message).not.toContain('AKIA');
    }
  });
});
