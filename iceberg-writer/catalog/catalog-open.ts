/**
 * Opens a catalog and the FileIO of its tables from one options object (catalog-open-options.ts): the one
 * place that chooses the catalog member (`sql/` on SQLite or PostgreSQL, `rest/`) and the storage (a
 * `ResolvingFileIO`: local folders and S3, per location), so the CLI and jobs never do. The default is the
 * embedded catalog `./.datamove/catalog.db` with the warehouse `./.datamove/warehouse`.
 */
import { existsSync } from 'node:fs';
import { DatamoveError, isDatamoveError } from '../../core/index.js';
import { ResolvingFileIO } from '../io/resolving-file-io.js';
import type { Catalog } from './catalog.js';
import {
  catalogOpenOptionsResolve,
  catalogUriRedact,
  type ResolvedCatalogOpenOptions,
} from './catalog-open-options.js';
import { restCatalogOpen } from './rest/rest-catalog.js';
import { sqlCatalogOpen } from './sql/sql-catalog.js';

export interface OpenedCatalog {
  readonly catalog: Catalog;
  readonly options: ResolvedCatalogOpenOptions;
  /** What was opened, for messages (`sqlite:/abs/catalog.db`, `postgresql://u:***@h/db`, the REST URI). */
  readonly description: string;
  /** Closes the catalog and the FileIO's connections. */
  close(): Promise<void>;
}

/** Opens the catalog described by `options` (see `CatalogOpenOptions`). */
export async function catalogOpen(options: unknown = {}): Promise<OpenedCatalog> {
  const o = catalogOpenOptionsResolve(options);
  const io = new ResolvingFileIO(o.s3 === undefined ? {} : { s3: o.s3 });
  const description =
    o.kind === 'sqlite' ? `sqlite:${o.path}` : o.kind === 'postgres' ? catalogUriRedact(o.uri) : o.uri;
  let catalog: Catalog;
  try {
    if (o.kind === 'sqlite') {
      if (!o.create && o.path !== ':memory:' && !existsSync(o.path)) {
        throw new DatamoveError(
          'NotFound',
          `iceberg: catalog ${o.path} does not exist (give --catalog, or create a table first)`,
          { context: { catalog: o.path } },
        );
      }
      catalog = await sqlCatalogOpen(
        {
          uri: `sqlite:${o.path}`,
          warehouse: o.warehouse,
          ...(o.name === undefined ? {} : { name: o.name }),
        },
        io,
      );
    } else if (o.kind === 'postgres') {
      catalog = await sqlCatalogOpen(
        { uri: o.uri, warehouse: o.warehouse, ...(o.name === undefined ? {} : { name: o.name }) },
        io,
      );
    } else {
      catalog = await restCatalogOpen(
        {
          uri: o.uri,
          ...(o.name === undefined ? {} : { name: o.name }),
          ...(o.warehouse === undefined ? {} : { warehouse: o.warehouse }),
          ...(o.token === undefined ? {} : { token: o.token }),
          ...(o.credential === undefined ? {} : { credential: o.credential }),
        },
        io,
      );
    }
  } catch (e) {
    await io.close();
    if (isDatamoveError(e)) throw e;
    // fetch puts the reason (connect ECONNREFUSED …, getaddrinfo ENOTFOUND …, bad port) in the cause
    const cause = (e as { cause?: { message?: unknown } })?.cause?.message;
    const why = `${(e as Error)?.message ?? String(e)}${typeof cause === 'string' ? ` (${cause})` : ''}`;
    throw new DatamoveError(
      'InvalidArgument',
      `iceberg: cannot open catalog ${description}: ${catalogUriRedact(why)}`,
      {
        context: { catalog: description },
        cause: e,
      },
    );
  }
  let closed = false;
  return {
    catalog,
    options: o,
    description,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await catalog.close();
      } finally {
        await io.close();
      }
    },
  };
}
