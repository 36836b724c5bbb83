/**
 * Options of the SQL catalog, validated with zod (`SqlCatalogOptions` → frozen `ResolvedSqlCatalogOptions`).
 */
import { z } from 'zod';
import { optionsInvalid } from '../../errors.js';

export const sqlCatalogOptionsSchema = z
  .object({
    type: z.literal('sql').optional(),
    /** Catalog name (`catalog_name` column); engines opening the same database must use the same name. */
    name: z.string().min(1).optional(),
    /** `sqlite:<path>` (default `sqlite:./.datamove/catalog.db`) or `postgresql://…`. */
    uri: z
      .string()
      .regex(/^(sqlite:|postgres(ql)?:\/\/)/, 'must start with sqlite: or postgresql://')
      .optional(),
    /** Root location of new tables: `file:///…`, an absolute path or `s3://bucket/prefix`. */
    warehouse: z.string().min(1),
  })
  .strict();

export type SqlCatalogOptions = z.input<typeof sqlCatalogOptionsSchema>;

export interface ResolvedSqlCatalogOptions {
  readonly name: string;
  readonly uri: string;
  readonly warehouse: string;
}

export const SQL_CATALOG_DEFAULT_URI = 'sqlite:./.datamove/catalog.db';

export function sqlCatalogOptionsResolve(input: unknown, path = 'catalog'): ResolvedSqlCatalogOptions {
  const r = sqlCatalogOptionsSchema.safeParse(input);
  if (!r.success) throw optionsInvalid(path, r.error);
  return Object.freeze({
    name: r.data.name ?? 'datamove',
    uri: r.data.uri ?? SQL_CATALOG_DEFAULT_URI,
    warehouse: r.data.warehouse.replace(/\/+$/, ''),
  });
}
