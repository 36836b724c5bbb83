/**
 * The connector registry: built-in connectors by name, or a module path whose module exports a
 * `Connector` (as `connector` or `default`). Resolved the same way on the main thread (planning) and in
 * each worker (transform), from the same plain-data reference.
 */
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatamoveError } from '../core/index.js';
import type { Connector } from './connector.js';
import { kvConnector } from './kv/kv-connector.js';
import { rawConnector } from './raw/raw-connector.js';
import { timeseriesConnector } from './timeseries/timeseries-connector.js';

export const BUILTIN_CONNECTORS: ReadonlyMap<string, Connector<never>> = new Map<string, Connector<never>>([
  ['raw', rawConnector as Connector<never>],
  ['kv', kvConnector as Connector<never>],
  ['timeseries', timeseriesConnector as Connector<never>],
]);

/** `{name}` of a built-in, or `{module}`: a path (or file: URL) of an ES module exporting a connector. */
export type ConnectorRef = { readonly name: string } | { readonly module: string };

function isConnector(x: unknown): x is Connector<unknown> {
  const c = x as Connector<unknown> | undefined;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.name === 'string' &&
    typeof c.transform === 'function' &&
    typeof c.target === 'function' &&
    typeof c.sources === 'function'
  );
}

const cache = new Map<string, Promise<Connector<unknown>>>();

export function connectorResolve(ref: ConnectorRef): Promise<Connector<unknown>> {
  if ('name' in ref) {
    const c = BUILTIN_CONNECTORS.get(ref.name);
    if (c === undefined)
      return Promise.reject(
        new DatamoveError(
          'InvalidArgument',
          `job.connector.name must be one of ${[...BUILTIN_CONNECTORS.keys()].join(', ')} (or give job.connector.module), got '${ref.name}'`,
          { context: { field: 'job.connector.name' } },
        ),
      );
    return Promise.resolve(c as Connector<unknown>);
  }
  const url = ref.module.startsWith('file:')
    ? ref.module
    : pathToFileURL(isAbsolute(ref.module) ? ref.module : resolve(ref.module)).href;
  let p = cache.get(url);
  if (p === undefined) {
    p = import(url).then((m: Record<string, unknown>) => {
      const c = m.connector ?? m.default;
      if (!isConnector(c))
        throw new DatamoveError(
          'InvalidArgument',
          `job.connector.module ${ref.module} must export a connector (as 'connector' or default)`,
          { context: { field: 'job.connector.module' } },
        );
      return c;
    });
    cache.set(url, p);
  }
  return p;
}

/** Validates a connector's options (zod) once; errors name the option path. */
export function connectorOptionsResolve<O>(c: Connector<O>, input: unknown): O {
  const r = c.options.safeParse(input ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const path = ['job.connector.options', ...issue.path.map(String)].join('.');
    throw new DatamoveError('InvalidArgument', `${path}: ${issue.message} (connector ${c.name})`, {
      context: { field: path, connector: c.name },
    });
  }
  return r.data;
}
