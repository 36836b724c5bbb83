/**
 * The controller file: the registry that decides, per job, whether the new path (compactor + connector) or
 * the legacy path (DuckDB staging + SQL) runs it. Ordered rules; the first that applies wins:
 *
 * ```yaml
 * default: new            # when no rule applies (default new)
 * rules:
 *   - match: { cluster: "prod-*", keyspace: users, table: "profile*" }
 *     connector: legacy
 *   - match: { cohort: canary }
 *     connector: new
 *     percent: 10         # only 10% of matching jobs (stable hash of the job name); the rest fall through
 *   - match: { job: "nightly-*" }
 *     connector: new
 * ```
 *
 * Globs: `*` any run of characters, `?` one. Every field of `match` must match (a job with several tables
 * matches `table` when one of them does). The file is read at each decision, so editing it changes the
 * next decision without touching any job file.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parse as yamlParse } from 'yaml';
import { z } from 'zod';
import { DatamoveError } from '../core/index.js';

export const PATHS = ['new', 'legacy'] as const;
export type PathName = (typeof PATHS)[number];

const glob = z.string().min(1);

export const controllerSchema = z
  .object({
    default: z.enum(PATHS).default('new'),
    rules: z
      .array(
        z
          .object({
            name: z.string().min(1).optional(),
            match: z
              .object({
                cluster: glob.optional(),
                keyspace: glob.optional(),
                table: glob.optional(),
                job: glob.optional(),
                cohort: glob.optional(),
              })
              .strict()
              .refine((m) => Object.keys(m).length > 0, { message: 'must name at least one field' }),
            connector: z.enum(PATHS),
            percent: z.number().min(0).max(100).optional(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

export type Controller = z.output<typeof controllerSchema> & { readonly file: string | undefined };
export type ControllerRule = Controller['rules'][number];

/** What a decision is about. */
export interface DecisionSubject {
  readonly job: string;
  readonly cluster: string;
  readonly keyspace: string;
  readonly tables: readonly string[];
  readonly cohort?: string;
}

export interface Decision {
  readonly connector: PathName;
  /** 1-based index of the rule that decided, or undefined (default or override). */
  readonly rule: number | undefined;
  /** One line: which rule and why. */
  readonly reason: string;
  /** The job's canary bucket, 0–99 (stable hash of its name). */
  readonly bucket: number;
  readonly controllerFile: string | undefined;
}

/** The job's canary bucket: the first 32 bits of SHA-256 of its name, mod 100. Stable across runs and hosts. */
export function canaryBucket(jobName: string): number {
  return createHash('sha256').update(jobName, 'utf8').digest().readUInt32BE(0) % 100;
}

export function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

export function controllerParse(doc: unknown, file: string | undefined): Controller {
  const r = controllerSchema.safeParse(doc ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field =
      issue.code === 'unrecognized_keys'
        ? [...issue.path, (issue as { keys: string[] }).keys[0]].join('.')
        : issue.path.join('.');
    throw new DatamoveError(
      'InvalidArgument',
      `${file ?? 'controller'}: ${field || '(document)'}: ${issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message}`,
      { context: { file: file ?? 'controller', field } },
    );
  }
  return { ...r.data, file };
}

/** Reads the controller file; a missing file at the default location is the built-in default (all new). */
export function controllerLoad(path: string | undefined, options: { required?: boolean } = {}): Controller {
  if (path === undefined || (!options.required && !existsSync(path))) return controllerParse({}, undefined);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new DatamoveError(
      'NotFound',
      `${path}: cannot read the controller file (${(e as Error).message})`,
      {
        context: { file: path },
        cause: e,
      },
    );
  }
  let doc: unknown;
  try {
    doc = yamlParse(text);
  } catch (e) {
    throw new DatamoveError(
      'InvalidArgument',
      `${path}: not valid YAML: ${(e as Error).message.split('\n')[0]}`,
      {
        context: { file: path },
      },
    );
  }
  return controllerParse(doc, path);
}

function describe(rule: ControllerRule, index: number): string {
  const m = Object.entries(rule.match)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return `rule ${index}${rule.name === undefined ? '' : ` (${rule.name})`} [${m}]`;
}

/** The first applicable rule's path; `override` (`--connector`) wins over every rule. */
export function decide(c: Controller, s: DecisionSubject, override?: PathName): Decision {
  const bucket = canaryBucket(s.job);
  const base = { bucket, controllerFile: c.file };
  if (override !== undefined)
    return {
      ...base,
      connector: override,
      rule: undefined,
      reason: `--connector ${override} (overrides the controller)`,
    };
  const skipped: string[] = [];
  for (const [i, rule] of c.rules.entries()) {
    const m = rule.match;
    const matches =
      (m.cluster === undefined || globMatch(m.cluster, s.cluster)) &&
      (m.keyspace === undefined || globMatch(m.keyspace, s.keyspace)) &&
      (m.table === undefined || s.tables.some((t) => globMatch(m.table!, t))) &&
      (m.job === undefined || globMatch(m.job, s.job)) &&
      (m.cohort === undefined || (s.cohort !== undefined && globMatch(m.cohort, s.cohort)));
    if (!matches) continue;
    if (rule.percent !== undefined && bucket >= rule.percent) {
      skipped.push(
        `${describe(rule, i + 1)} matched but bucket ${bucket} is outside its ${rule.percent}% canary`,
      );
      continue;
    }
    const pct = rule.percent === undefined ? '' : `, bucket ${bucket} < ${rule.percent}%`;
    return {
      ...base,
      connector: rule.connector,
      rule: i + 1,
      reason: `${describe(rule, i + 1)} → ${rule.connector}${pct}${skipped.length > 0 ? `; ${skipped.join('; ')}` : ''}`,
    };
  }
  return {
    ...base,
    connector: c.default,
    rule: undefined,
    reason: `no rule applies → default ${c.default}${skipped.length > 0 ? `; ${skipped.join('; ')}` : ''}`,
  };
}
