/**
 * A small REST catalog server for tests, conformant to the parts of open-api/rest-catalog-open-api.yaml
 * datamove uses: config (with a prefix), OAuth2 client-credentials tokens, namespaces, create/load/drop
 * table and commits with requirements (409 on a failed requirement). Metadata files are written with the
 * same code as the SQL catalog. `faults` injects commit failures: 'before' answers the status without
 * committing, 'after' commits and then answers the status (state really unknown to the client).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDatamoveError } from '../../core/index.js';
import {
  type FileIO,
  jsonParseWithIds,
  jsonStringifyWithIds,
  locationJoin,
  metadataApplyUpdates,
  metadataFileRead,
  metadataFileWrite,
  metadataNew,
  requirementsCheck,
  type TableRequirement,
  type TableUpdate,
} from '../../iceberg-writer/index.js';

export interface RestServerOptions {
  readonly io: FileIO;
  readonly warehouse: string;
  readonly clientId?: string;
  readonly clientSecret?: string;
  readonly staticToken?: string;
}

export interface RestServer {
  readonly url: string;
  readonly faults: { when: 'before' | 'after'; status: number }[];
  commits: number;
  close(): Promise<void>;
}

export async function restCatalogServerStart(o: RestServerOptions): Promise<RestServer> {
  const namespaces = new Map<string, Record<string, string>>();
  const tables = new Map<string, string>(); // ns\x1fname → metadata location
  const tokens = new Set<string>(o.staticToken ? [o.staticToken] : []);
  const auth = o.clientId !== undefined || o.staticToken !== undefined;
  const state: RestServer = { url: '', faults: [], commits: 0, close: async () => {} };
  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body === undefined ? '' : jsonStringifyWithIds(body));
  };
  const err = (res: ServerResponse, status: number, type: string, message: string) =>
    send(res, status, { error: { message, type, code: status } });
  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      const body = await readBody(req);
      if (parts[0] !== 'v1') return err(res, 404, 'NoSuchPathException', url.pathname);
      if (parts[1] === 'oauth' && parts[2] === 'tokens') {
        const p = new URLSearchParams(body);
        if (p.get('client_id') !== o.clientId || p.get('client_secret') !== o.clientSecret) {
          return send(res, 401, { error: 'invalid_client' });
        }
        const token = `t-${Math.random().toString(36).slice(2)}`;
        tokens.add(token);
        return send(res, 200, {
          access_token: token,
          token_type: 'bearer',
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        });
      }
      if (auth) {
        const h = req.headers.authorization ?? '';
        if (!h.startsWith('Bearer ') || !tokens.has(h.slice(7)))
          return err(res, 401, 'NotAuthorizedException', 'bad token');
      }
      if (parts[1] === 'config') return send(res, 200, { defaults: {}, overrides: { prefix: 'wh1' } });
      if (parts[1] !== 'wh1' || parts[2] !== 'namespaces')
        return err(res, 404, 'NoSuchPathException', url.pathname);
      const input = body === '' ? undefined : (jsonParseWithIds(body) as Record<string, unknown>);
      if (parts.length === 3) {
        if (req.method === 'GET')
          return send(res, 200, { namespaces: [...namespaces.keys()].map((k) => k.split('\x1f')) });
        const ns = (input!.namespace as string[]).join('\x1f');
        if (namespaces.has(ns)) return err(res, 409, 'AlreadyExistsException', ns);
        namespaces.set(ns, (input!.properties as Record<string, string>) ?? {});
        return send(res, 200, { namespace: input!.namespace, properties: namespaces.get(ns) });
      }
      const ns = parts[3]!;
      if (!namespaces.has(ns)) return err(res, 404, 'NoSuchNamespaceException', ns);
      if (parts.length === 4)
        return send(res, 200, { namespace: ns.split('\x1f'), properties: namespaces.get(ns) });
      if (parts.length === 5 && parts[4] === 'tables') {
        if (req.method === 'GET') {
          const ids = [...tables.keys()].filter(
            (k) => k.startsWith(`${ns}\x1f`) && k.split('\x1f').length === ns.split('\x1f').length + 1,
          );
          return send(res, 200, {
            identifiers: ids.map((k) => ({ namespace: ns.split('\x1f'), name: k.split('\x1f').pop() })),
          });
        }
        const key = `${ns}\x1f${input!.name as string}`;
        if (tables.has(key)) return err(res, 409, 'AlreadyExistsException', key);
        const location =
          (input!.location as string | undefined) ??
          locationJoin(o.warehouse, ...ns.split('\x1f'), input!.name as string);
        const metadata = metadataNew({
          schema: input!.schema as never,
          ...(input!['partition-spec'] ? { partitionSpec: input!['partition-spec'] as never } : {}),
          ...(input!['write-order'] ? { sortOrder: input!['write-order'] as never } : {}),
          properties: (input!.properties as Record<string, string>) ?? {},
          location,
        });
        const loc = await metadataFileWrite(o.io, metadata, undefined);
        tables.set(key, loc);
        return send(res, 200, { 'metadata-location': loc, metadata, config: {} });
      }
      const key = `${ns}\x1f${parts[5]}`;
      const loc = tables.get(key);
      if (loc === undefined) return err(res, 404, 'NoSuchTableException', key);
      if (req.method === 'GET')
        return send(res, 200, {
          'metadata-location': loc,
          metadata: await metadataFileRead(o.io, loc),
          config: {},
        });
      if (req.method === 'DELETE') {
        tables.delete(key);
        return send(res, 204);
      }
      // commit
      const fault = state.faults.shift();
      if (fault?.when === 'before') return err(res, fault.status, 'ServerError', 'injected');
      const base = await metadataFileRead(o.io, loc);
      try {
        requirementsCheck(base, input!.requirements as TableRequirement[]);
      } catch (e) {
        if (isDatamoveError(e) && e.kind === 'CommitConflict')
          return err(res, 409, 'CommitFailedException', e.message);
        throw e;
      }
      const next = metadataApplyUpdates(base, input!.updates as TableUpdate[], { baseLocation: loc });
      const nextLoc = await metadataFileWrite(o.io, next, loc);
      if (tables.get(key) !== loc) return err(res, 409, 'CommitFailedException', 'concurrent commit');
      tables.set(key, nextLoc);
      state.commits++;
      if (fault?.when === 'after') return err(res, fault.status, 'ServerError', 'injected after commit');
      return send(res, 200, { 'metadata-location': nextLoc, metadata: next });
    } catch (e) {
      const status = isDatamoveError(e) && e.kind === 'InvalidArgument' ? 400 : 500;
      err(res, status, 'ServerError', (e as Error).message);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  });
}
