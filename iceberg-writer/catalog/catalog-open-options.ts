/**
 * The one options object that opens a catalog and its warehouse (`catalogOpen`), for the CLI and jobs:
 * which catalog (`sqlite:` / a SQLite file path, `postgresql://…`, or an `http(s)://` REST service), which
 * warehouse (a folder, `file://…` or `s3://bucket/prefix`) and the S3 settings that reach it (the same
 * object as for backups). Validated with zod once (`CatalogOpenOptions` in, frozen
 * `ResolvedCatalogOpenOptions` out); relative paths are resolved against `cwd` here, so nothing later
 * depends on the working directory.
 *
 * Defaults are the embedded catalog: `./.datamove/catalog.db` (SQLite) with the warehouse
 * `./.datamove/warehouse`.
 */
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DatamoveError } from '../../core/index.js';
import { s3FileIOOptionsSchema } from '../io/s3/s3-file-io-options.js';

export const DEFAULT_CATALOG_PATH = './.datamove/catalog.db';
export const DEFAULT_WAREHOUSE_PATH = './.datamove/warehouse';

export const catalogOpenOptionsSchema = z
  .object({
    /**
     * `sqlite:<path>` or a path to a SQLite file (the embedded catalog; default `./.datamove/catalog.db`),
     * `postgresql://user:password@host:port/db` (shared SQL catalog), or `http(s)://host/…` (an Iceberg
     * REST catalog; its base URI, without `/v1`).
     */
    catalog: z.string().min(1).optional(),
    /** Catalog name: the `catalog_name` of the SQL tables (default `datamove`), or the REST client's name. */
    name: z.string().min(1).optional(),
    /**
     * Root of new tables for a SQL catalog: a folder, `file:///…` or `s3://bucket/prefix` (default
     * `./.datamove/warehouse`). For a REST catalog, the warehouse name sent to `GET /v1/config` (no default).
     */
    warehouse: z.string().min(1).optional(),
    /** S3 settings for `s3://` locations (as for backups), plus `partBytes`. */
    s3: s3FileIOOptionsSchema.optional(),
    /** REST: a bearer token. */
    token: z.string().min(1).optional(),
    /** REST: OAuth2 client credentials `client_id:client_secret`. */
    credential: z
      .string()
      .regex(/^[^:]+:.+$/, 'must be client_id:client_secret')
      .optional(),
    /** SQLite: create the database file when it is missing (default true; read-only commands pass false). */
    create: z.boolean().optional(),
    /** Folder that relative paths are resolved against (default: the working directory). */
    cwd: z.string().min(1).optional(),
  })
  .strict();

export type CatalogOpenOptions = z.input<typeof catalogOpenOptionsSchema>;

export type ResolvedCatalogOpenOptions = Readonly<
  {
    name: string | undefined;
    s3: z.output<typeof s3FileIOOptionsSchema> | undefined;
  } & (
    | {
        kind: 'sqlite';
        /** Absolute path of the database file. */
        path: string;
        warehouse: string;
        create: boolean;
      }
    | { kind: 'postgres'; uri: string; warehouse: string }
    | {
        kind: 'rest';
        uri: string;
        warehouse: string | undefined;
        token: string | undefined;
        credential: string | undefined;
      }
  )
>;

/** `postgresql://user:secret@host/db` → `postgresql://user:***@host/db`, for messages. */
export function catalogUriRedact(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}

function bad(field: string, message: string): DatamoveError {
  return new DatamoveError('InvalidArgument', `${field}: ${message}`, { context: { field } });
}

/** A warehouse given as a folder becomes an absolute path; URIs are kept (without a trailing slash). */
function warehouseResolve(text: string, cwd: string, field: string): string {
  const t = text.replace(/\/+$/, '') || '/';
  if (/^s3[an]?:\/\//i.test(t) || t.startsWith('file:')) return t;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    throw bad(field, `'${t}' is not a folder, file:// or s3:// location`);
  }
  return isAbsolute(t) ? t : resolve(cwd, t);
}

/** Validates and resolves. `path` names the options in messages (`job.catalog`). */
export function catalogOpenOptionsResolve(input: unknown = {}, path = 'catalog'): ResolvedCatalogOpenOptions {
  const r = catalogOpenOptionsSchema.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = [path, ...issue.path.map(String)].join('.');
    // never echo a credential value: zod messages do not include the input
    throw bad(where, issue.message);
  }
  const o = r.data;
  const cwd = o.cwd ?? process.cwd();
  const catalog = o.catalog ?? `sqlite:${DEFAULT_CATALOG_PATH}`;
  const common = { name: o.name, s3: o.s3 };
  if (/^postgres(ql)?:\/\//i.test(catalog)) {
    return Object.freeze({
      ...common,
      kind: 'postgres',
      uri: catalog,
      warehouse: warehouseResolve(o.warehouse ?? DEFAULT_WAREHOUSE_PATH, cwd, `${path}.warehouse`),
    });
  }
  if (/^https?:\/\//i.test(catalog)) {
    if (!URL.canParse(catalog)) throw bad(`${path}.catalog`, `'${catalogUriRedact(catalog)}' is not a URL`);
    return Object.freeze({
      ...common,
      kind: 'rest',
      uri: catalog.replace(/\/+$/, ''),
      warehouse: o.warehouse,
      token: o.token,
      credential: o.credential,
    });
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(catalog)) {
    throw bad(
      `${path}.catalog`,
      `'${catalogUriRedact(catalog)}' is not a catalog (a SQLite file, postgresql://… or http(s)://…)`,
    );
  }
  const file = catalog.startsWith('sqlite:') ? catalog.slice('sqlite:'.length) : catalog;
  if (file === '') throw bad(`${path}.catalog`, 'sqlite: needs a file path');
  return Object.freeze({
    ...common,
    kind: 'sqlite',
    path: file === ':memory:' || isAbsolute(file) ? file : resolve(cwd, file),
    warehouse: warehouseResolve(o.warehouse ?? DEFAULT_WAREHOUSE_PATH, cwd, `${path}.warehouse`),
    create: o.create ?? true,
  });
}
