/**
 * Spawning commit-child.mjs (a separate Node process committing through the built code) and reading its
 * JSON-line events; `kill` is a real SIGKILL. The child needs dist/, built by `npx tsc -p
 * tsconfig.build.json` (vitest's global setup does it unless DATAMOVE_SKIP_BUILD=1).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CHILD = fileURLToPath(new URL('./commit-child.mjs', import.meta.url));
const DIST_INDEX = fileURLToPath(new URL('../../dist/iceberg-writer/index.js', import.meta.url));

export interface ChildRun {
  readonly runId: string;
  readonly start: number;
  readonly rows: number;
}

export type CrashPoint = 'before-swap' | 'metadata-written' | 'swap-applied' | 'after-swap';

export interface ChildJob {
  readonly catalog: Record<string, unknown>;
  readonly table: string;
  readonly runs: readonly ChildRun[];
  readonly mode?: 'append' | 'overwrite';
  readonly maxAttempts?: number;
  readonly crashAt?: CrashPoint;
  /** Print `ready` and wait for `go()` before the first commit. */
  readonly waitForGo?: boolean;
}

export interface ChildEvent {
  readonly event: 'ready' | 'committed' | 'crash-point';
  readonly runId?: string;
  readonly snapshotId?: string;
  readonly alreadyCommitted?: boolean;
  readonly attempts?: number;
  readonly files?: string[];
  readonly point?: CrashPoint;
}

export interface CommitChild {
  readonly process: ChildProcess;
  readonly events: ChildEvent[];
  /** Resolves with the first event matching `pred` (rejects if the child exits first). */
  waitFor(pred: (e: ChildEvent) => boolean): Promise<ChildEvent>;
  /** Resolves when the child has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(): void;
  /** Releases a child started with `waitForGo`. */
  go(): void;
}

export function commitChildDistCheck(): void {
  if (!existsSync(DIST_INDEX)) {
    throw new Error(`${DIST_INDEX} is missing: run npx tsc -p tsconfig.build.json first`);
  }
}

export function commitChildSpawn(job: ChildJob): CommitChild {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(job)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const events: ChildEvent[] = [];
  const waiters: { pred: (e: ChildEvent) => boolean; resolve: (e: ChildEvent) => void }[] = [];
  let buffered = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const e = JSON.parse(buffered.slice(0, nl)) as ChildEvent;
      buffered = buffered.slice(nl + 1);
      events.push(e);
      for (const w of [...waiters]) {
        if (w.pred(e)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(e);
        }
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })),
  );
  return {
    process: child,
    events,
    exited,
    waitFor(pred) {
      const seen = events.find(pred);
      if (seen !== undefined) return Promise.resolve(seen);
      return Promise.race([
        new Promise<ChildEvent>((resolve) => waiters.push({ pred, resolve })),
        exited.then(({ code, signal, stderr: err }) => {
          throw new Error(`child exited (code ${code}, signal ${signal}) before the event:\n${err}`);
        }),
      ]);
    },
    kill() {
      child.kill('SIGKILL');
    },
    go() {
      child.stdin!.end('go\n');
    },
  };
}

/** Rejects unless the child exits 0; resolves with its events. */
export async function commitChildDone(c: CommitChild): Promise<ChildEvent[]> {
  const { code, signal, stderr } = await c.exited;
  if (code !== 0) throw new Error(`commit child failed (code ${code}, signal ${signal}):\n${stderr}`);
  return c.events;
}

/** Runs a child to completion; rejects unless it exits 0. */
export function commitChildRun(job: ChildJob): Promise<ChildEvent[]> {
  const c = commitChildSpawn(job);
  c.process.stdin!.end();
  return commitChildDone(c);
}
