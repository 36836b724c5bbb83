/** Runs the built `datamove` command as a user would (node bin/datamove.js …). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../corpus.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `options.env`, when given, is the child's whole environment (tests that must not see the caller's AWS or
 * datamove settings pass exactly what they need); otherwise the child inherits this process's.
 */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'bin/datamove.js'), ...args], {
      cwd: options.cwd ?? REPO_ROOT,
      ...(options.env === undefined ? {} : { env: options.env }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
