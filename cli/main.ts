/**
 * The `datamove` command: parses arguments and calls the modules; nothing else lives here. Every error a
 * user can cause ends as one line on stderr (`datamove: <module>: <what>`) and exit code 2, never a stack
 * trace; unexpected failures print their stack only with DATAMOVE_DEBUG=1.
 */
import { Command, CommanderError } from 'commander';
import { isDatamoveError } from '../core/index.js';
import { registerBackups } from './commands/backups.js';
import { registerCompact } from './commands/compact.js';
import { registerDashboard } from './commands/dashboard.js';
import { registerDemo } from './commands/demo.js';
import { registerDiff } from './commands/diff.js';
import { registerGenerate } from './commands/generate.js';
import { registerInvestigations } from './commands/investigations.js';
import { registerJobs } from './commands/jobs.js';
import { registerRestore } from './commands/restore.js';
import { registerRun } from './commands/run.js';
import { registerS3 } from './commands/s3.js';
import { registerSchedule } from './commands/schedule.js';
import { registerShadow } from './commands/shadow.js';
import { registerSSTable } from './commands/sstable-dump.js';
import { registerTable } from './commands/table.js';
import { CliExit } from './exit-code.js';

/** Each command family registers itself from its own file in commands/. */
const COMMANDS: readonly ((program: Command, io: CliIO) => void)[] = [
  registerSSTable,
  registerBackups,
  registerS3,
  registerGenerate,
  registerTable,
  registerCompact,
  registerRun,
  registerSchedule,
  registerJobs,
  registerDashboard,
  registerDemo,
  registerDiff,
  registerShadow,
  registerInvestigations,
  registerRestore,
];

export const EXIT_OK = 0;
export const EXIT_ERROR = 2;

export interface CliIO {
  readonly stdout: NodeJS.WritableStream & import('node:stream').Writable;
  readonly stderr: NodeJS.WritableStream & import('node:stream').Writable;
}

export function buildProgram(io: CliIO): Command {
  const program = new Command('datamove')
    .description('Move Cassandra tables from SSTable backups into Apache Iceberg, without Spark or a JVM')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });

  for (const register of COMMANDS) register(program, io);
  return program;
}

export async function main(
  argv: string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return e.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    // diff and shadow: the two sides differ (exit 3), the report is already printed
    if (e instanceof CliExit) return e.code;
    if (isDatamoveError(e)) {
      io.stderr.write(`datamove: ${e.message}\n`);
      return EXIT_ERROR;
    }
    const err = e as Error;
    io.stderr.write(`datamove: unexpected error: ${err?.message ?? String(e)}\n`);
    if (process.env.DATAMOVE_DEBUG === '1' && err?.stack) io.stderr.write(`${err.stack}\n`);
    return EXIT_ERROR;
  }
}
