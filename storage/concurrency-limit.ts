/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in FIFO order. One limiter is
 * shared by every object a source reads, so the number of requests in flight is bounded per source, not
 * per file.
 */

export interface ConcurrencyLimit {
  readonly limit: number;
  /** Runs `task` when a slot is free. */
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function concurrencyLimit(limit: number): ConcurrencyLimit {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = (): void => {
    active--;
    waiting.shift()?.();
  };
  return {
    limit,
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      active++;
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
