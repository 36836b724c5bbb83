/**
 * `datamove investigations list|show|resolve`: the investigation log of shadow runs with differences
 * (validation/investigations.ts), in the run history database (`runs.db` beside the SQLite catalog).
 * Categories aggregate across jobs: `list --by-category`, and `resolve --category <c> --note …` closes
 * every open entry of a category with one explanation.
 */
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import { runHistoryPath } from '../../decider/index.js';
import {
  CATEGORIES,
  type Investigation,
  type InvestigationStatus,
  type ValidationStore,
  validationStoreOpen,
} from '../../validation/index.js';
import type { CliIO } from '../main.js';

interface StoreFlags {
  readonly history?: string;
  readonly catalog?: string;
  readonly json?: boolean;
}

interface ListFlags extends StoreFlags {
  readonly byCategory?: boolean;
  readonly status?: string;
  readonly category?: string;
  readonly job?: string;
}

interface ResolveFlags extends StoreFlags {
  readonly note?: string;
  readonly category?: string;
}

/** `--history`, else `runs.db` beside a SQLite `--catalog`, else ./.datamove/runs.db. */
function historyOf(flags: StoreFlags): string {
  if (flags.history !== undefined) return flags.history;
  const c = flags.catalog;
  if (c !== undefined && !/^(postgres(ql)?|https?):\/\//.test(c))
    return runHistoryPath(c.replace(/^sqlite:/, ''));
  return runHistoryPath(undefined);
}

function withStore<T>(flags: StoreFlags, f: (s: ValidationStore) => T): T {
  const s = validationStoreOpen(historyOf(flags));
  try {
    return f(s);
  } finally {
    s.close();
  }
}

function idParse(text: string): number {
  if (!/^\d+$/.test(text))
    throw new DatamoveError('InvalidArgument', `investigations: '${text}' is not an investigation id`, {
      context: { field: 'id' },
    });
  return Number(text);
}

function categoryCheck(c: string | undefined): void {
  if (c !== undefined && !(CATEGORIES as readonly string[]).includes(c))
    throw new DatamoveError(
      'InvalidArgument',
      `investigations: --category '${c}' must be one of ${CATEGORIES.join(', ')}`,
      { context: { field: 'category' } },
    );
}

function line(i: Investigation): string {
  return `${String(i.id).padStart(4)}  ${i.time}  ${i.status.padEnd(8)}  ${i.category.padEnd(18)}  ${i.job}  C−M ${i.cMinusM}, M−C ${i.mMinusC}`;
}

function showFormat(i: Investigation): string {
  const out = [
    `investigation ${i.id} (${i.status}) — job ${i.job}, ${i.time}`,
    `category: ${i.category} — ${i.reason}`,
    `C: ${i.cTable ?? '?'} snapshot ${i.cSnapshotId ?? '?'} (run ${i.cRunId ?? '?'})`,
    `M: ${i.mTable ?? '?'} snapshot ${i.mSnapshotId ?? '?'} (run ${i.mRunId ?? '?'})`,
    `|C| = ${i.cRows}  |M| = ${i.mRows}  |C−M| = ${i.cMinusM}  |M−C| = ${i.mMinusC}` +
      (i.missing === undefined ? '' : `  missing ${i.missing}, phantom ${i.phantom}, changed ${i.changed}`),
    `samples: ${JSON.stringify(i.samples)}`,
  ];
  if (i.status === 'resolved') out.push(`resolved ${i.resolvedAt}: ${i.note}`);
  return `${out.join('\n')}\n`;
}

function storeOptions(c: Command): Command {
  return c
    .option(
      '--history <file>',
      'run history database (default: runs.db beside the catalog, ./.datamove/runs.db)',
    )
    .option('--catalog <file>', 'the SQLite catalog whose runs.db to read')
    .option('--json', 'print JSON');
}

export function registerInvestigations(program: Command, io: CliIO): void {
  const inv = program
    .command('investigations')
    .description('The investigation log of shadow-run differences: list, show, resolve');
  storeOptions(
    inv
      .command('list')
      .description('Investigations, oldest first (or counts per category with --by-category)')
      .option('--by-category', 'open and resolved counts per category, with the jobs')
      .option('--status <status>', 'open or resolved')
      .option('--category <category>', `one of ${CATEGORIES.join(', ')}`)
      .option('--job <job>', 'one job'),
  ).action(async (flags: ListFlags) => {
    if (flags.status !== undefined && flags.status !== 'open' && flags.status !== 'resolved')
      throw new DatamoveError(
        'InvalidArgument',
        `investigations: --status '${flags.status}' must be open or resolved`,
        {
          context: { field: 'status' },
        },
      );
    categoryCheck(flags.category);
    withStore(flags, (s) => {
      if (flags.byCategory) {
        const rows = s.byCategory();
        if (flags.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        else if (rows.length === 0) io.stdout.write('no investigations\n');
        else
          for (const r of rows)
            io.stdout.write(
              `${r.category.padEnd(18)}  open ${r.open}  resolved ${r.resolved}  jobs ${r.jobs.join(', ')}\n`,
            );
        return;
      }
      const rows = s.investigations({
        ...(flags.status === undefined ? {} : { status: flags.status as InvestigationStatus }),
        ...(flags.category === undefined ? {} : { category: flags.category }),
        ...(flags.job === undefined ? {} : { job: flags.job }),
      });
      if (flags.json) io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      else if (rows.length === 0) io.stdout.write('no investigations\n');
      else for (const r of rows) io.stdout.write(`${line(r)}\n`);
    });
  });
  storeOptions(inv.command('show <id>').description('One investigation with its counts and samples')).action(
    async (id: string, flags: StoreFlags) => {
      const n = idParse(id);
      withStore(flags, (s) => {
        const i = s.investigation(n);
        io.stdout.write(flags.json ? `${JSON.stringify(i, null, 2)}\n` : showFormat(i));
      });
    },
  );
  storeOptions(
    inv
      .command('resolve [id]')
      .description('Resolve one investigation, or every open one of a category, with a note')
      .requiredOption('--note <text>', 'the explanation')
      .option('--category <category>', 'resolve every open investigation of this category'),
  ).action(async (id: string | undefined, flags: ResolveFlags) => {
    const note = flags.note!;
    if ((id === undefined) === (flags.category === undefined))
      throw new DatamoveError(
        'InvalidArgument',
        'investigations resolve: give an id or --category, not both',
        {
          context: { field: 'id' },
        },
      );
    categoryCheck(flags.category);
    withStore(flags, (s) => {
      if (id !== undefined) {
        const i = s.resolve(idParse(id), note);
        io.stdout.write(flags.json ? `${JSON.stringify(i, null, 2)}\n` : `investigation ${i.id} resolved\n`);
      } else {
        const n = s.resolveCategory(flags.category!, note);
        io.stdout.write(
          flags.json
            ? `${JSON.stringify({ category: flags.category, resolved: n })}\n`
            : `${n} open ${flags.category} investigation${n === 1 ? '' : 's'} resolved\n`,
        );
      }
    });
  });
}
