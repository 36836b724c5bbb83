/**
 * Options of the CQL → Iceberg type mapping, validated with zod at the job boundary
 * (`CqlMappingOptions` in, frozen `ResolvedCqlMappingOptions` out).
 */
import { z } from 'zod';

export const cqlMappingOptionsSchema = z
  .object({
    /** `decimal` maps varint to decimal(38, 0) (an out-of-range value is an error); `string` keeps digits. */
    varint: z.enum(['decimal', 'string']).optional(),
    /** CQL decimals carry a scale per value, so the default is `string`; a fixed `{precision, scale}` maps to decimal(p, s). */
    decimal: z
      .union([
        z.literal('string'),
        z
          .object({ precision: z.number().int().min(1).max(38), scale: z.number().int().min(0).max(38) })
          .strict(),
      ])
      .optional(),
    /** A CQL vector becomes list<element> (the Iceberg type either way); `fixed-size-list` only changes the Arrow layout. */
    vector: z.enum(['list', 'fixed-size-list']).optional(),
  })
  .strict();

export type CqlMappingOptions = z.input<typeof cqlMappingOptionsSchema>;

export interface ResolvedCqlMappingOptions {
  readonly varint: 'decimal' | 'string';
  readonly decimal: 'string' | { readonly precision: number; readonly scale: number };
  readonly vector: 'list' | 'fixed-size-list';
}

/** Validates and applies defaults; errors name the option path (`mapping.decimal.scale …`). */
export function cqlMappingOptionsResolve(input: unknown = {}): ResolvedCqlMappingOptions {
  const r = cqlMappingOptionsSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new TypeError(`mapping.${issue.path.join('.')}: ${issue.message}`);
  }
  const d = r.data.decimal ?? 'string';
  if (typeof d === 'object' && d.scale > d.precision) {
    throw new TypeError(`mapping.decimal.scale must be <= precision (${d.scale} > ${d.precision})`);
  }
  return Object.freeze({ varint: r.data.varint ?? 'decimal', decimal: d, vector: r.data.vector ?? 'list' });
}
