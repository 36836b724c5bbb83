/**
 * Fallback: run the new path; if it fails for any reason — an error, a worker crash, running out of memory,
 * or its time limit — run the legacy path instead and say why. The user sees a longer run, not a failure.
 *
 * A timed-out new path cannot be cancelled (its workers finish their tasks), but it can no longer publish
 * anything different: both paths commit with the same run id, and a commit whose run id is already in the
 * table is a no-op.
 */
import { DatamoveError } from '../core/errors.js';

export type FallbackKind = 'error' | 'timeout' | 'worker-crash' | 'out-of-memory';

export interface FallbackCause {
  readonly kind: FallbackKind;
  readonly message: string;
}

/** How a new-path failure is classified (for the record and the alert). */
export function fallbackClassify(e: unknown): FallbackCause {
  const message = (e as Error)?.message ?? String(e);
  const code = (e as { code?: string })?.code ?? '';
  if ((e as Error)?.name === 'TimeoutError' || /timed out/i.test(message))
    return { kind: 'timeout', message };
  if (code === 'ERR_WORKER_OUT_OF_MEMORY' || /out of memory|heap limit|allocation failed/i.test(message))
    return { kind: 'out-of-memory', message };
  if (/worker .*(exit|crash|terminated)|exited with code/i.test(message))
    return { kind: 'worker-crash', message };
  return { kind: 'error', message };
}

function withTimeout<T>(p: Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined) return p;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new DatamoveError('Unexpected', `decider: the new path timed out after ${ms} ms`, {
        context: { timeoutMs: ms },
      });
      e.name = 'TimeoutError';
      reject(e);
    }, ms);
    timer.unref();
  });
  p.catch(() => {});
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

export interface FallbackOutcome<T> {
  readonly result: T;
  readonly path: 'new' | 'legacy';
  readonly fallback: FallbackCause | undefined;
}

/**
 * Runs `primary` (the new path) within `timeoutMs`; on failure calls `onFallback` and runs `secondary`.
 * `secondary` undefined: the failure is the job's (the legacy path cannot run this job).
 */
export async function pathWithFallback<T>(
  primary: () => Promise<T>,
  secondary: (() => Promise<T>) | undefined,
  o: { timeoutMs?: number; onFallback?: (cause: FallbackCause) => void | Promise<void> } = {},
): Promise<FallbackOutcome<T>> {
  try {
    return { result: await withTimeout(primary(), o.timeoutMs), path: 'new', fallback: undefined };
  } catch (e) {
    if (secondary === undefined) throw e;
    const cause = fallbackClassify(e);
    await o.onFallback?.(cause);
    return { result: await secondary(), path: 'legacy', fallback: cause };
  }
}
