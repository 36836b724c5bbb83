/**
 * Client of the Iceberg REST catalog protocol (open-api/rest-catalog-open-api.yaml): `GET /v1/config`
 * (prefix from the server's overrides), namespaces, create/load/drop table and `updateTable` commits with
 * requirements. Auth: a static bearer token or OAuth2 client credentials (`POST /v1/oauth/tokens`).
 *
 * Commit errors follow the spec (and Java's `ErrorHandlers.tableCommitHandler`): 409 is a retryable
 * CommitConflict; 500, 502, 503, 504 and network failures after the request was sent leave the commit
 * state unknown (CommitStateUnknown, never retried blindly).
 */
import { DatamoveError } from '../../../core/index.js';
import type { FileIO } from '../../io/file-io.js';
import { jsonParseWithIds, jsonStringifyWithIds, metadataParse } from '../../metadata/table-metadata.js';
import type { TableRequirement, TableUpdate } from '../../metadata/table-update.js';
import {
  type Catalog,
  type CreateTableRequest,
  type LoadedTable,
  type TableIdentifier,
  tableIdentifierString,
  tableNotFound,
} from '../catalog.js';
import { type ResolvedRestCatalogOptions, restCatalogOptionsResolve } from './rest-catalog-options.js';

const UNKNOWN_STATUSES = new Set([500, 502, 503, 504]);

/** Connects: validates options, authenticates, reads `/v1/config`. */
export async function restCatalogOpen(options: unknown, io: FileIO): Promise<RestCatalog> {
  const c = new RestCatalog(restCatalogOptionsResolve(options), io);
  await c.initialize();
  return c;
}

export class RestCatalog implements Catalog {
  readonly name: string;
  #token: string | undefined;
  #prefix = '';

  constructor(
    readonly options: ResolvedRestCatalogOptions,
    readonly io: FileIO,
  ) {
    this.name = options.name;
    this.#token = options.token;
  }

  async initialize(): Promise<void> {
    if (this.options.credential !== undefined) await this.#authenticate();
    const q =
      this.options.warehouse === undefined ? '' : `?warehouse=${encodeURIComponent(this.options.warehouse)}`;
    const config = (await this.#json('GET', `/v1/config${q}`)) as {
      overrides?: Record<string, string>;
      defaults?: Record<string, string>;
    };
    const prefix = config.overrides?.prefix ?? config.defaults?.prefix;
    this.#prefix = prefix ? `/${prefix.replace(/^\/+|\/+$/g, '')}` : '';
  }

  async #authenticate(): Promise<void> {
    const [id, ...rest] = this.options.credential!.split(':');
    const body = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: id!,
      client_secret: rest.join(':'),
      scope: this.options.scope,
    });
    const res = await fetch(this.options.oauth2ServerUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (!res.ok) {
      throw new DatamoveError(
        'InvalidArgument',
        `iceberg: OAuth2 token request to ${this.options.oauth2ServerUri} failed: ${res.status}`,
        {
          context: { status: res.status },
        },
      );
    }
    this.#token = ((await res.json()) as { access_token: string }).access_token;
  }

  #ns(ns: readonly string[]): string {
    return encodeURIComponent(ns.join('\x1f'));
  }

  #tablePath(id: TableIdentifier): string {
    return `/v1${this.#prefix}/namespaces/${this.#ns(id.namespace)}/tables/${encodeURIComponent(id.name)}`;
  }

  async #request(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const send = () =>
      fetch(`${this.options.uri}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.#token === undefined ? {} : { authorization: `Bearer ${this.#token}` }),
        },
        ...(body === undefined ? {} : { body: jsonStringifyWithIds(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    let res = await send();
    if (res.status === 401 && this.options.credential !== undefined) {
      await this.#authenticate();
      res = await send();
    }
    return { status: res.status, text: await res.text() };
  }

  #error(status: number, text: string, what: string): DatamoveError {
    let message = text;
    try {
      message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text;
    } catch {
      // not JSON
    }
    return new DatamoveError(
      status === 404 ? 'NotFound' : 'Unexpected',
      `iceberg: REST ${what}: ${status} ${message}`,
      {
        context: { status },
        retryable: status === 503,
      },
    );
  }

  async #json(method: string, path: string, body?: unknown): Promise<unknown> {
    const r = await this.#request(method, path, body);
    if (r.status < 200 || r.status >= 300) throw this.#error(r.status, r.text, `${method} ${path}`);
    return r.text === '' ? {} : jsonParseWithIds(r.text);
  }

  #loaded(id: TableIdentifier, body: unknown): LoadedTable {
    const b = body as { 'metadata-location': string; metadata: unknown };
    return {
      identifier: id,
      metadataLocation: b['metadata-location'],
      metadata: metadataParse(jsonStringifyWithIds(b.metadata), b['metadata-location']),
    };
  }

  async createNamespace(
    namespace: readonly string[],
    properties: Record<string, string> = {},
  ): Promise<void> {
    const r = await this.#request('POST', `/v1${this.#prefix}/namespaces`, { namespace, properties });
    if (r.status === 409) return;
    if (r.status < 200 || r.status >= 300) throw this.#error(r.status, r.text, 'create namespace');
  }

  async namespaceExists(namespace: readonly string[]): Promise<boolean> {
    const r = await this.#request('GET', `/v1${this.#prefix}/namespaces/${this.#ns(namespace)}`);
    if (r.status === 404) return false;
    if (r.status < 200 || r.status >= 300) throw this.#error(r.status, r.text, 'load namespace');
    return true;
  }

  async listNamespaces(): Promise<string[][]> {
    const b = (await this.#json('GET', `/v1${this.#prefix}/namespaces`)) as { namespaces: string[][] };
    return b.namespaces;
  }

  async createTable(id: TableIdentifier, request: CreateTableRequest): Promise<LoadedTable> {
    if (!(await this.namespaceExists(id.namespace))) await this.createNamespace(id.namespace);
    const r = await this.#request('POST', `/v1${this.#prefix}/namespaces/${this.#ns(id.namespace)}/tables`, {
      name: id.name,
      schema: request.schema,
      ...(request.location === undefined ? {} : { location: request.location }),
      ...(request.partitionSpec === undefined ? {} : { 'partition-spec': request.partitionSpec }),
      ...(request.sortOrder === undefined ? {} : { 'write-order': request.sortOrder }),
      properties: request.properties ?? {},
      'stage-create': false,
    });
    if (r.status === 409) {
      throw new DatamoveError(
        'CommitConflict',
        `iceberg: table ${tableIdentifierString(id)} already exists`,
        {
          context: { table: tableIdentifierString(id) },
        },
      );
    }
    if (r.status < 200 || r.status >= 300) throw this.#error(r.status, r.text, 'create table');
    return this.#loaded(id, jsonParseWithIds(r.text));
  }

  async loadTable(id: TableIdentifier): Promise<LoadedTable> {
    const r = await this.#request('GET', this.#tablePath(id));
    if (r.status === 404) throw tableNotFound(id);
    if (r.status < 200 || r.status >= 300) throw this.#error(r.status, r.text, 'load table');
    return this.#loaded(id, jsonParseWithIds(r.text));
  }

  async tableExists(id: TableIdentifier): Promise<boolean> {
    const r = await this.#request('GET', this.#tablePath(id));
    return r.status >= 200 && r.status < 300;
  }

  async listTables(namespace: readonly string[]): Promise<TableIdentifier[]> {
    const b = (await this.#json('GET', `/v1${this.#prefix}/namespaces/${this.#ns(namespace)}/tables`)) as {
      identifiers: TableIdentifier[];
    };
    return b.identifiers;
  }

  async commitTable(
    id: TableIdentifier,
    requirements: readonly TableRequirement[],
    updates: readonly TableUpdate[],
  ): Promise<LoadedTable> {
    const table = tableIdentifierString(id);
    let r: { status: number; text: string };
    try {
      r = await this.#request('POST', this.#tablePath(id), {
        identifier: { namespace: id.namespace, name: id.name },
        requirements,
        updates,
      });
    } catch (e) {
      throw new DatamoveError(
        'CommitStateUnknown',
        `iceberg: commit of ${table}: request failed (${(e as Error).message}); state unknown`,
        {
          context: { table },
          cause: e,
        },
      );
    }
    if (r.status === 200) return this.#loaded(id, jsonParseWithIds(r.text));
    if (r.status === 409) {
      throw new DatamoveError(
        'CommitConflict',
        `iceberg: commit conflict on ${table}: ${r.text.slice(0, 200)}`,
        {
          context: { table, status: 409 },
          retryable: true,
        },
      );
    }
    if (r.status === 404) throw tableNotFound(id);
    if (UNKNOWN_STATUSES.has(r.status)) {
      throw new DatamoveError(
        'CommitStateUnknown',
        `iceberg: commit of ${table}: server answered ${r.status}; state unknown`,
        {
          context: { table, status: r.status },
        },
      );
    }
    throw this.#error(r.status, r.text, `commit ${table}`);
  }

  async dropTable(id: TableIdentifier): Promise<void> {
    const r = await this.#request('DELETE', this.#tablePath(id));
    if (r.status === 404) throw tableNotFound(id);
    if (r.status < 200 || r.status >= 300) throw this.#error(r.status, r.text, 'drop table');
  }

  async close(): Promise<void> {}
}
