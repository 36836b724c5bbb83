/**
 * `datamove generate --history <days> --out <dir|s3://…>`: a backup history to try `datamove restore` on —
 * daily backups of one table (`<keyspace>.events`) while a column is added, a fourth node joins and a column
 * is dropped, with an oracle per backup (infra/generator/history.ts `generateHistory`). Only argument
 * handling and printing here; options of the single-backup generator that do not apply are refused when
 * given, and the history's own defaults stand for those that do (seed 7, rf 2, 4 tokens, 2 flushes).
 */
import type { Command } from 'commander';
import { DatamoveError } from '../../core/index.js';
import { generateHistory, LAYOUT_NAMES, type LayoutName } from '../../infra/index.js';
import { s3OptionsResolve } from '../../storage/index.js';
import type { CliIO } from '../main.js';
import { cliS3Options } from './backups.js';

/** `generate` options that describe a single backup, not the history. */
const NOT_FOR_HISTORY = [
  'preset',
  'size',
  'widePartition',
  'hotPartition',
  'nodes',
  'dcs',
  'format',
  'compression',
  'now',
  'tag',
  'missRate',
  'nodeExpectations',
] as const;

const flag = (name: string): string => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

function bad(field: string, message: string): DatamoveError {
  return new DatamoveError('InvalidArgument', `${flag(field)}: ${message}`, { context: { field } });
}

function int(o: Record<string, unknown>, field: string, min: number, max: number): number {
  const text = String(o[field]);
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max)
    throw bad(field, `'${text}' must be an integer from ${min} to ${max}`);
  return v;
}

const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();

export async function generateHistoryCommand(
  o: Record<string, string | boolean | undefined>,
  cmd: Command,
  io: CliIO,
): Promise<void> {
  const given = (name: string): boolean => {
    const source = cmd.getOptionValueSource(name);
    return source !== undefined && source !== 'default';
  };
  for (const name of NOT_FOR_HISTORY)
    if (given(name))
      throw bad(
        name,
        'does not apply to --history (the history writes its own table, events, on a 3-node ring a fourth node joins)',
      );
  const days = int(o, 'history', 4, 365);
  const layout = String(o.layout) as LayoutName;
  if (!LAYOUT_NAMES.includes(layout))
    throw bad('layout', `'${layout}' is not one of ${LAYOUT_NAMES.join(', ')}`);
  const startText = o.start === undefined ? '2026-03-01T00:00:00Z' : String(o.start);
  const startMs = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(startText) ? startText : `${startText}Z`);
  if (!Number.isFinite(startMs)) throw bad('start', `'${startText}' is not an ISO-8601 time`);
  const start = Math.floor(startMs / 1000);
  if ((start + days * 86400) * 1000 > Date.now())
    throw bad(
      'start',
      `${iso(start)} + ${days} days ends in the future: a restore refuses times after now; choose an earlier --start`,
    );
  const out = String(o.out);
  io.stderr.write(`generate: history of ${days} daily backups from ${iso(start)} into ${out}\n`);
  const started = Date.now();
  const h = await generateHistory({
    out,
    start,
    days,
    layout,
    ...(given('partitions') ? { partitions: int(o, 'partitions', 1, 100_000_000) } : {}),
    ...(given('seed') ? { seed: int(o, 'seed', 0, 2 ** 31 - 1) } : {}),
    ...(given('rf') ? { replicationFactor: int(o, 'rf', 1, 3) } : {}),
    ...(given('numTokens') ? { numTokens: int(o, 'numTokens', 1, 256) } : {}),
    ...(given('flushes') ? { flushes: int(o, 'flushes', 1, 64) } : {}),
    ...(given('keyspace') ? { keyspace: String(o.keyspace) } : {}),
    s3: s3OptionsResolve(
      cliS3Options({
        ...(o.s3Endpoint === undefined ? {} : { s3Endpoint: String(o.s3Endpoint) }),
        ...(o.s3Region === undefined ? {} : { s3Region: String(o.s3Region) }),
        ...(o.s3PathStyle === undefined ? {} : { s3PathStyle: o.s3PathStyle === true }),
      } as Parameters<typeof cliS3Options>[0]),
    ),
  });
  const seconds = (Date.now() - started) / 1000;
  for (const b of h.backups)
    io.stdout.write(
      `${b.id} ${iso(b.time)}: ${b.nodes.length} nodes, columns ${b.columns.join(', ')}; ${b.oracleRows} rows in the oracle (${b.oracleFile})\n`,
    );
  io.stdout.write(
    `events: column extra added ${iso(h.events.columnAdded)}, node ${h.joinedNode} joined ${iso(h.events.nodeJoined)}, column legacy dropped ${iso(h.events.columnDropped)}\n`,
  );
  io.stdout.write(
    `${h.keyspace}.${h.table}: ${h.backups.length} backups in ${seconds.toFixed(1)} s; restore with a job file whose source is {uri: ${out}, keyspace: ${h.keyspace}, table: ${h.table}} and --as-of between ${iso(h.backups[0]!.time)} and now\n`,
  );
}
