/**
 * What a commit takes from its surroundings besides its data: the clock (snapshot timestamps, the unknown-state
 * marker's time), the wait between conflicting attempts and its jitter, and where warnings go. A warning is a
 * failure that must not pass silently but does not fail the call: the path readers' `version-hint.text` not
 * published after a swap that succeeded, or an unknown-state marker that could not be written (that one is
 * in the error the commit raises as well). Tests inject all four; by default they are the wall clock, a
 * timer, `Math.random` and a process warning (`DatamoveWarning`, printed on stderr unless a `warning`
 * listener takes it, e.g. to put it in a run's log).
 */

export interface CommitHooks {
  /** Milliseconds since the epoch. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1): the jitter of the backoff between conflicting attempts. */
  readonly random?: () => number;
  /** One line, starting with the module (`iceberg: …`). */
  readonly warn?: (message: string) => void;
}

export type ResolvedCommitHooks = Readonly<Required<CommitHooks>>;

/** The default `warn`: a process warning of type `DatamoveWarning`. */
export function warningEmit(message: string): void {
  process.emitWarning(message, { type: 'DatamoveWarning' });
}

export function commitHooksResolve(hooks: CommitHooks = {}): ResolvedCommitHooks {
  return Object.freeze({
    now: hooks.now ?? Date.now,
    sleep: hooks.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms))),
    random: hooks.random ?? Math.random,
    warn: hooks.warn ?? warningEmit,
  });
}
