/**
 * `datamove dashboard --out report.html [--history runs.db]`: writes the self-contained HTML page of the
 * run history (decider/dashboard.ts) and prints where it is and its headline numbers.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { dashboardWrite } from '../../decider/index.js';
import type { CliIO } from '../main.js';

export function registerDashboard(program: Command, io: CliIO): void {
  program
    .command('dashboard')
    .description(
      'Write one self-contained HTML page (charts, no network) about the run history: migration to the new connector, run status, cost per connector, fallbacks, discrepancies, shadow results, open investigations',
    )
    .requiredOption('--out <file>', 'the HTML file to write (e.g. report.html)')
    .option('--history <runs.db>', 'run history database', './.datamove/runs.db')
    .action((flags: { out: string; history: string }) => {
      const data = dashboardWrite({ historyPath: flags.history, out: flags.out });
      const t = data.totals;
      io.stdout.write(
        `dashboard: ${resolve(flags.out)}\n  ${t.runs} runs (${t.succeeded} succeeded, ${t.failed} failed, ${t.fallbacks} fallbacks), ${t.jobs} jobs (${t.jobsNew} on new, ${t.jobsLegacy} on legacy), ${t.discrepancies} discrepancies, ${t.openInvestigations} open investigations\n`,
      );
    });
}
