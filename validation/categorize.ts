/**
 * Why do two snapshots differ? Rules, tried in order, over an open diff (diff.ts: its `diff_groups` and,
 * with a key, `diff_keyed` tables) and the two snapshots' summaries:
 *
 * 1. `backup-selection`: the snapshots' `datamove.source-backup-ids` differ — they read different backups.
 * 2. `ttl-reference-time`: the `datamove.reference-now` differ and every difference is a TTL'd value that
 *    expired between the two reference times: no row appears only on the later side; with the raw
 *    connector's `<col>__writetime`/`<col>__ttl` columns every differing row of the earlier side has a cell
 *    whose expiry (write time + TTL) falls between the two times; without them, every changed value is
 *    null on the later side.
 * 3. `type-mapping`: only changed rows (no missing, phantom or duplicate rows), all equal after
 *    normalisation: floating point and decimals to a relative 1e-6, timestamps to the millisecond, text and
 *    binary as bytes, anything else as text.
 * 4. `consistency-level`: the replicas of every differing partition disagree (replica-check.ts re-reads
 *    just those partitions, replica by replica) — a path that reads fewer replicas sees a different row.
 * 5. `other`.
 */
import type { DiffReport, DiffSession } from './diff.js';
import { keyJoin } from './diff.js';
import type { ReplicaCheckResult } from './replica-check.js';

export type Category =
  | 'ttl-reference-time'
  | 'consistency-level'
  | 'backup-selection'
  | 'type-mapping'
  | 'other';

export const CATEGORIES: readonly Category[] = [
  'ttl-reference-time',
  'consistency-level',
  'backup-selection',
  'type-mapping',
  'other',
];

export interface Categorization {
  readonly category: Category;
  /** One line: the evidence for the category (or why the others did not apply). */
  readonly reason: string;
}

export interface CategorizeInput {
  readonly session: DiffSession;
  /** The report of `session` (already computed: its tables exist). */
  readonly report: DiffReport;
  readonly cSummary: Readonly<Record<string, string>>;
  readonly mSummary: Readonly<Record<string, string>>;
  /** Re-reads the given partitions replica by replica (rows carrying the partition key columns). */
  readonly replicaCheck?: (partitions: Record<string, unknown>[]) => Promise<ReplicaCheckResult>;
  /** At most this many differing rows are handed to `replicaCheck` (default 10 000). */
  readonly replicaCheckLimit?: number;
}

const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));

const NUMERIC = /^(FLOAT|DOUBLE|REAL|DECIMAL)/;
const TIMESTAMP = /^TIMESTAMP/;

/**
 * SQL: are `a` and `b` equal after normalisation (never NULL: a value against NULL is not equal)? `ta`/`tb` are the sides' Parquet types; a column whose
 * types differ reaches here as text (diff.ts compares it as VARCHAR), which the casts below accept too.
 */
function normalizedEqual(a: string, b: string, ta: string, tb: string): string {
  const both = `(${a} IS NULL AND ${b} IS NULL)`;
  if (NUMERIC.test(ta) || NUMERIC.test(tb)) {
    const x = `TRY_CAST(${a} AS DOUBLE)`;
    const y = `TRY_CAST(${b} AS DOUBLE)`;
    return `coalesce(${both} OR (${x} = ${y}) OR abs(${x} - ${y}) <= 1e-6 * greatest(abs(${x}), abs(${y}), 1e-12), false)`;
  }
  if (TIMESTAMP.test(ta) || TIMESTAMP.test(tb))
    return `coalesce(${both} OR date_trunc('millisecond', TRY_CAST(${a} AS TIMESTAMP)) = date_trunc('millisecond', TRY_CAST(${b} AS TIMESTAMP)), false)`;
  return `(CAST(${a} AS VARCHAR) IS NOT DISTINCT FROM CAST(${b} AS VARCHAR))`;
}

function epochSeconds(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.floor(t / 1000) : undefined;
}

async function ttlRule(i: CategorizeInput): Promise<Categorization | string> {
  const cNow = epochSeconds(i.cSummary['datamove.reference-now']);
  const mNow = epochSeconds(i.mSummary['datamove.reference-now']);
  if (cNow === undefined || mNow === undefined) return 'no reference times recorded';
  if (cNow === mNow) return 'same reference time';
  const early: 'c' | 'm' = cNow < mNow ? 'c' : 'm';
  const late = early === 'c' ? 'm' : 'c';
  const lo = Math.min(cNow, mNow);
  const hi = Math.max(cNow, mNow);
  const r = i.report;
  const lateDiff = late === 'c' ? r.cMinusM : r.mMinusC;
  const keyed = r.keyed;
  const s = i.session;
  if (keyed === undefined) {
    if (lateDiff > 0)
      return `rows only on the later side (${late}, reference time ${hi}) without a key to pair them`;
  } else {
    const lateAbsent = late === 'c' ? keyed.missing : keyed.phantom;
    if (lateAbsent > 0) return `${lateAbsent} rows only on the later side: expiry cannot add rows`;
    if (keyed.duplicates > 0) return `${keyed.duplicates} duplicate-key rows`;
  }
  const earlyCond = early === 'c' ? '__dm_c > __dm_m' : '__dm_m > __dm_c';
  const names = new Set(s.schema.common.map((c) => c.name));
  const meta = s.schema.common
    .filter((c) => c.name.endsWith('__ttl') && names.has(`${c.name.slice(0, -5)}__writetime`))
    .map((c) => c.name.slice(0, -5));
  if (meta.length > 0) {
    // a cell expires at its write time (s) + TTL; Cassandra's local deletion time may lag by a second
    const expiring = meta
      .map((m) => {
        const exp = `(epoch_us(${q(`${m}__writetime`)}) // 1000000 + ${q(`${m}__ttl`)})`;
        return `(${q(`${m}__ttl`)} > 0 AND ${exp} > ${lo - 1} AND ${exp} <= ${hi + 1})`;
      })
      .join(' OR ');
    const bad = num(
      (
        await s.rows(
          `SELECT count(*) AS n FROM diff_groups WHERE ${earlyCond} AND NOT coalesce(${expiring}, false)`,
        )
      )[0]!.n,
    );
    if (bad > 0)
      return `${bad} differing rows of the earlier side have no cell expiring between ${lo} and ${hi}`;
    return {
      category: 'ttl-reference-time',
      reason: `reference times ${new Date(lo * 1000).toISOString()} and ${new Date(hi * 1000).toISOString()}; every differing row has a TTL'd cell expiring between them (${meta.map((m) => `${m}__ttl`).join(', ')})`,
    };
  }
  if (keyed !== undefined && keyed.changed > 0) {
    const others = s.schema.common.filter((c) => !keyed.key.includes(c.name));
    const x = early === 'c' ? 'x' : 'y';
    const y = early === 'c' ? 'y' : 'x';
    const cond = others
      .map(
        (c) =>
          `(x.${q(c.name)} IS DISTINCT FROM y.${q(c.name)} AND NOT (${y}.${q(c.name)} IS NULL AND ${x}.${q(c.name)} IS NOT NULL))`,
      )
      .join(' OR ');
    const bad = num(
      (
        await s.rows(
          `SELECT count(*) AS n FROM (SELECT * FROM diff_keyed WHERE __dm_side = 'c' AND __dm_counterpart) x
           JOIN (SELECT * FROM diff_keyed WHERE __dm_side = 'm' AND __dm_counterpart) y ON ${keyJoin(keyed.key, 'x', 'y')}
           WHERE ${cond || 'false'}`,
        )
      )[0]!.n,
    );
    if (bad > 0) return `${bad} changed rows differ in values other than ones gone on the later side`;
  }
  return {
    category: 'ttl-reference-time',
    reason: `reference times ${new Date(lo * 1000).toISOString()} (${early === 'c' ? 'C' : 'M'}) and ${new Date(hi * 1000).toISOString()}; differing rows and values exist only at the earlier time (no TTL metadata columns to check expiries)`,
  };
}

async function typeMappingRule(i: CategorizeInput): Promise<Categorization | string> {
  const k = i.report.keyed;
  if (k === undefined) return 'no key';
  if (k.changed === 0 || k.missing + k.phantom + k.duplicates > 0) return 'not only changed rows';
  const s = i.session;
  const others = s.schema.common.filter((c) => !k.key.includes(c.name));
  const types = new Map(s.schema.typeDiffers.map((t) => [t.name, t]));
  const cond = others
    .map((c) => {
      const t = types.get(c.name);
      return `NOT ${normalizedEqual(`x.${q(c.name)}`, `y.${q(c.name)}`, t?.c ?? c.type, t?.m ?? c.type)}`;
    })
    .join(' OR ');
  const bad = num(
    (
      await s.rows(
        `SELECT count(*) AS n FROM (SELECT * FROM diff_keyed WHERE __dm_side = 'c' AND __dm_counterpart) x
         JOIN (SELECT * FROM diff_keyed WHERE __dm_side = 'm' AND __dm_counterpart) y ON ${keyJoin(k.key, 'x', 'y')}
         WHERE ${cond || 'false'}`,
      )
    )[0]!.n,
  );
  if (bad > 0) return `${bad} changed pairs differ after normalisation`;
  return {
    category: 'type-mapping',
    reason: `${k.changed} changed rows, all equal after normalisation (columns ${Object.keys(k.changedColumns).join(', ')})`,
  };
}

async function consistencyRule(i: CategorizeInput): Promise<Categorization | string> {
  if (i.replicaCheck === undefined) return 'no backup to re-read';
  const limit = i.replicaCheckLimit ?? 10_000;
  const cols = i.session.columns.join(', ');
  const rows = await i.session.rows(`SELECT DISTINCT ${cols} FROM diff_groups LIMIT ${limit}`);
  const r = await i.replicaCheck(rows);
  if (r.checked === 0) return 'no differing partition found in the backup';
  if (r.disagree < r.checked)
    return `${r.checked - r.disagree} of ${r.checked} differing partitions have replicas that agree`;
  return {
    category: 'consistency-level',
    reason: `the replicas of all ${r.checked} differing partitions disagree (e.g. ${r.examples
      .slice(0, 2)
      .map(
        (e) =>
          `${r.partitionKey.join(',')}=${e.key}: ${Object.entries(e.replicas)
            .map(([n, c]) => `${n} ${c} rows`)
            .join(', ')}`,
      )
      .join('; ')})`,
  };
}

/** The category of a diff's differences (see the module comment); call only when the report is not equal. */
export async function diffCategorize(i: CategorizeInput): Promise<Categorization> {
  const why: string[] = [];
  const cIds = i.cSummary['datamove.source-backup-ids'];
  const mIds = i.mSummary['datamove.source-backup-ids'];
  if (cIds !== undefined && mIds !== undefined) {
    if (cIds !== mIds)
      return { category: 'backup-selection', reason: `C read backups ${cIds}, M read backups ${mIds}` };
    why.push('backup-selection: same backups');
  } else why.push('backup-selection: backup ids not recorded');
  for (const [name, rule] of [
    ['ttl-reference-time', ttlRule],
    ['type-mapping', typeMappingRule],
    ['consistency-level', consistencyRule],
  ] as const) {
    const r = await rule(i);
    if (typeof r !== 'string') return r;
    why.push(`${name}: ${r}`);
  }
  return { category: 'other', reason: why.join('; ') };
}
