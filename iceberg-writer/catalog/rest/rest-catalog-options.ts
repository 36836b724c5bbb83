/**
 * Options of the REST catalog client, validated with zod (`RestCatalogOptions` → frozen resolved options).
 */
import { z } from 'zod';
import { optionsInvalid } from '../../errors.js';

export const restCatalogOptionsSchema = z
  .object({
    type: z.literal('rest').optional(),
    name: z.string().min(1).optional(),
    /** Base URI of the service (without `/v1`). */
    uri: z.string().url(),
    /** Warehouse passed to `GET /v1/config`. */
    warehouse: z.string().optional(),
    /** A bearer token. */
    token: z.string().min(1).optional(),
    /** OAuth2 client credentials `client_id:client_secret`. */
    credential: z
      .string()
      .regex(/^[^:]+:.+$/, 'must be client_id:client_secret')
      .optional(),
    /** Token endpoint (default `<uri>/v1/oauth/tokens`). */
    oauth2ServerUri: z.string().url().optional(),
    scope: z.string().optional(),
    /** Request timeout in ms (default 30 s). */
    timeoutMs: z.number().int().min(1).optional(),
  })
  .strict();

export type RestCatalogOptions = z.input<typeof restCatalogOptionsSchema>;

export interface ResolvedRestCatalogOptions {
  readonly name: string;
  readonly uri: string;
  readonly warehouse: string | undefined;
  readonly token: string | undefined;
  readonly credential: string | undefined;
  readonly oauth2ServerUri: string;
  readonly scope: string;
  readonly timeoutMs: number;
}

export function restCatalogOptionsResolve(input: unknown, path = 'catalog'): ResolvedRestCatalogOptions {
  const r = restCatalogOptionsSchema.safeParse(input);
  if (!r.success) throw optionsInvalid(path, r.error);
  const uri = r.data.uri.replace(/\/+$/, '');
  return Object.freeze({
    name: r.data.name ?? 'rest',
    uri,
    warehouse: r.data.warehouse,
    token: r.data.token,
    credential: r.data.credential,
    oauth2ServerUri: r.data.oauth2ServerUri ?? `${uri}/v1/oauth/tokens`,
    scope: r.data.scope ?? 'catalog',
    timeoutMs: r.data.timeoutMs ?? 30_000,
  });
}
