/**
 * Fallback: run the new path; if it fails for any reason — an error, a worker crash, running out of memory,
 * or its time limit — run the legacy path instead and say why. The user sees a longer run, not a failure.
 *
 * Each path runs under its own AbortSignal. Past `timeouts.newPath` the new path is aborted — its worker
 * threads are terminated and its uncommitted files removed (compaction-run.ts, connector-job.ts) — and the
 * legacy path starts only once the new path has stopped (a bounded wait, `stopWaitMs`), so the two never
 * hold memory at once. The run's own signal (its `timeouts.job`, an interruption) aborts whichever path
 * runs. Should a new path not stop in time, it still cannot publish anything different: both paths commit
 * with the same run id, a commit whose run id is already in the table is a no-op, and the decider refuses
 * the aborted path's commits (job-run.ts).
 */
import { DatamoveError } from '../core/index.js';

/** How long a timed-out new path is given to stop before the legacy path starts anyway. */
export const STOP_WAIT_MS = 5000;

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

/** Resolves when `p` has settled or `ms` have passed: whether it settled in time. */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    p.then(
      () => true,
      () => true,
    ),
    new Promise<false>((r) => {
      timer = setTimeout(() => r(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return settled;
}

/** What became of a timed-out new path before the legacy path started. */
export interface PrimaryStop {
  /** It ended (its workers exited, its files were removed) within `stopWaitMs`. */
  readonly stopped: boolean;
  /** Milliseconds from the time limit to the end (or to the end of the wait). */
  readonly waitedMs: number;
}

/**
 * `p` within `ms`; past it `abort` is aborted with the TimeoutError and `p` is waited for (up to `stopWaitMs`)
 * before the rejection, so whatever `p` was running has stopped when the caller goes on.
 */
function withTimeout<T>(
  p: Promise<T>,
  ms: number | undefined,
  abort: AbortController,
  stopWaitMs: number,
  onStopped: ((s: PrimaryStop) => void) | undefined,
): Promise<T> {
  if (ms === undefined) return p;
  return new Promise<T>((resolve, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      const e = new DatamoveError('Unexpected', `decider: the new path timed out after ${ms} ms`, {
        context: { timeoutMs: ms },
      });
      e.name = 'TimeoutError';
      const at = Date.now();
      abort.abort(e);
      // the outcome is the timeout, whatever the aborted path ends with
      void settledWithin(p, stopWaitMs).then((stopped) => {
        onStopped?.({ stopped, waitedMs: Date.now() - at });
        reject(e);
      });
    }, ms);
    timer.unref();
    p.then(
      (v) => {
        if (timedOut) return;
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        if (timedOut) return;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

export interface FallbackOutcome<T> {
  readonly result: T;
  readonly path: 'new' | 'legacy';
  readonly fallback: FallbackCause | undefined;
}

export interface PathWithFallbackOptions {
  /** The new path's time limit. */
  readonly timeoutMs?: number;
  /** The run's signal (its time limit, an interruption): aborts whichever path runs. */
  readonly signal?: AbortSignal;
  /** How long a timed-out new path is waited for before the legacy path starts (default STOP_WAIT_MS). */
  readonly stopWaitMs?: number;
  /** The timed-out new path has stopped, or the wait is over: called before the legacy path starts. */
  readonly onPrimaryStopped?: (s: PrimaryStop) => void;
  readonly onFallback?: (cause: FallbackCause) => void | Promise<void>;
}

/**
 * Runs `primary` (the new path) within `timeoutMs`; on failure calls `onFallback` and runs `secondary`.
 * `secondary` undefined: the failure is the job's (the legacy path cannot run this job). Each path gets
 * the signal it must stop on (see the module comment).
 */
export async function pathWithFallback<T>(
  primary: (signal: AbortSignal) => Promise<T>,
  secondary: ((signal: AbortSignal | undefined) => Promise<T>) | undefined,
  o: PathWithFallbackOptions = {},
): Promise<FallbackOutcome<T>> {
  const ac = new AbortController();
  const run = o.signal;
  const follow = (): void => ac.abort(run?.reason);
  if (run?.aborted) follow();
  else run?.addEventListener('abort', follow, { once: true });
  try {
    return {
      result: await withTimeout(
        primary(ac.signal),
        o.timeoutMs,
        ac,
        o.stopWaitMs ?? STOP_WAIT_MS,
        o.onPrimaryStopped,
      ),
      path: 'new',
      fallback: undefined,
    };
  } catch (e) {
    // whatever the failure, nothing of the new path may go on
    if (!ac.signal.aborted) ac.abort(e);
    if (secondary === undefined) throw e;
    const cause = fallbackClassify(e);
    await o.onFallback?.(cause);
    return { result: await secondary(run), path: 'legacy', fallback: cause };
  } finally {
    run?.removeEventListener('abort', follow);
  }
}
