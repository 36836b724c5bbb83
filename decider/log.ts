/**
 * Structured logs of runs and of the scheduler: one JSON object per line (pino) with `job`, `runId` and an
 * `event` name, plus the task id and token range on task events, so a log pipeline can follow one run or
 * one token range across retries. `--verbose` prints the same records for humans (pino-pretty).
 *
 * The decider speaks to a `LogSink` — the part of pino's logger it uses — so the run code does not depend
 * on where the lines go (stderr, a file, a test's array).
 */
import type { Writable } from 'node:stream';
import { pino } from 'pino';
import pretty from 'pino-pretty';

/** What the decider logs through; a pino `Logger` is one. */
export interface LogSink {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  debug(fields: object, message: string): void;
  child(bindings: Record<string, unknown>): LogSink;
}

export interface LogCreateOptions {
  /** Where the lines go (the CLI's stderr). */
  readonly destination: Writable | NodeJS.WritableStream;
  /** Human lines (pino-pretty) instead of JSON. */
  readonly verbose?: boolean;
  /** Colours in human lines (a terminal). */
  readonly colorize?: boolean;
  /** `info` by default; `debug` adds per-task progress. */
  readonly level?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
}

/** A pino logger writing JSON lines — or, verbose, human lines — to `destination`, synchronously. */
export function logCreate(o: LogCreateOptions): LogSink {
  const level = o.level ?? (o.verbose ? 'debug' : 'info');
  const base = {
    base: { pid: process.pid },
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // `"level":"warn"` rather than pino's numbers: the lines are read by people and log pipelines alike
    ...(o.verbose ? {} : { formatters: { level: (label: string) => ({ level: label }) } }),
  };
  if (o.verbose) {
    const stream = pretty({
      destination: o.destination as Writable,
      colorize: o.colorize === true,
      sync: true,
      ignore: 'pid,hostname',
      translateTime: 'SYS:HH:MM:ss.l',
      singleLine: true,
    });
    return pino(base, stream);
  }
  return pino(base, o.destination as Writable);
}

/** A sink that drops everything (no logger given). */
export const LOG_NONE: LogSink = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return LOG_NONE;
  },
};
