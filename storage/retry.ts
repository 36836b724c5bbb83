/**
 * Retries with exponential backoff and full jitter (AWS Architecture Blog, "Exponential Backoff and
 * Jitter"): attempt n waits a random time in `[0, min(maxDelay, baseDelay * 2^n))`. Only errors the
 * caller marks retryable are retried (throttling, 5xx, connection resets, truncated bodies); the last
 * error is thrown with the attempt count in its context.
 */
import { DatamoveError, isDatamoveError } from '../core/index.js';

export interface RetryPolicy {
  /** Attempts in total, the first included (default 6). */
  readonly maxAttempts: number;
  /** First backoff ceiling in ms (default 100). */
  readonly baseDelayMs: number;
  /** Largest backoff ceiling in ms (default 10 000). */
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 6,
  baseDelayMs: 100,
  maxDelayMs: 10_000,
});

/** Hooks for tests: a fixed random source and a fake sleep. */
export interface RetryHooks {
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called before each retry with the attempt that failed (1-based) and its error. */
  readonly onRetry?: (attempt: number, error: DatamoveError) => void;
}

/** The backoff before retry number `attempt` (1 = after the first failure). */
export function retryDelay(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Runs `attempt` until it succeeds, throws a non-retryable error, or `policy.maxAttempts` is reached.
 * Errors that are not `DatamoveError`s are passed to `classify` first.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  classify: (e: unknown) => DatamoveError,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (e) {
      const err = isDatamoveError(e) ? e : classify(e);
      if (!err.retryable || n >= policy.maxAttempts) {
        if (n > 1 && err.retryable) {
          throw new DatamoveError(err.kind, `${err.message} (after ${n} attempts)`, {
            context: { ...err.context, attempts: n },
            cause: err.cause ?? err,
            retryable: true,
          });
        }
        throw err;
      }
      hooks.onRetry?.(n, err);
      await sleep(retryDelay(policy, n, hooks.random));
    }
  }
}
