/**
 * Table requirements and updates, as the REST catalog protocol defines them
 * (open-api/rest-catalog-open-api.yaml: `TableRequirement`, `TableUpdate`), and their application to
 * metadata. Every catalog commits the same way: check the requirements against the current metadata, apply
 * the updates, swap the pointer. The SQL catalog does it client-side; the REST test server server-side.
 */
import { DatamoveError } from '../../core/index.js';
import type { IcebergSchema } from '../schema/iceberg-schema.js';
import type { PartitionSpec } from '../write/partition-spec.js';
import type { Snapshot, SnapshotRef, SortOrder, TableMetadata } from './table-metadata.js';

export type TableRequirement =
  | { readonly type: 'assert-create' }
  | { readonly type: 'assert-table-uuid'; readonly uuid: string }
  | { readonly type: 'assert-ref-snapshot-id'; readonly ref: string; readonly 'snapshot-id': bigint | null }
  | { readonly type: 'assert-last-assigned-field-id'; readonly 'last-assigned-field-id': number }
  | { readonly type: 'assert-current-schema-id'; readonly 'current-schema-id': number }
  | { readonly type: 'assert-last-assigned-partition-id'; readonly 'last-assigned-partition-id': number }
  | { readonly type: 'assert-default-spec-id'; readonly 'default-spec-id': number }
  | { readonly type: 'assert-default-sort-order-id'; readonly 'default-sort-order-id': number };

export type TableUpdate =
  | { readonly action: 'assign-uuid'; readonly uuid: string }
  | { readonly action: 'upgrade-format-version'; readonly 'format-version': number }
  | { readonly action: 'add-schema'; readonly schema: IcebergSchema; readonly 'last-column-id'?: number }
  | { readonly action: 'set-current-schema'; readonly 'schema-id': number }
  | { readonly action: 'add-spec'; readonly spec: PartitionSpec }
  | { readonly action: 'set-default-spec'; readonly 'spec-id': number }
  | { readonly action: 'add-sort-order'; readonly 'sort-order': SortOrder }
  | { readonly action: 'set-default-sort-order'; readonly 'sort-order-id': number }
  | { readonly action: 'add-snapshot'; readonly snapshot: Snapshot }
  | ({ readonly action: 'set-snapshot-ref'; readonly 'ref-name': string } & SnapshotRef)
  | { readonly action: 'remove-snapshots'; readonly 'snapshot-ids': readonly bigint[] }
  | { readonly action: 'remove-snapshot-ref'; readonly 'ref-name': string }
  | { readonly action: 'set-location'; readonly location: string }
  | { readonly action: 'set-properties'; readonly updates: Readonly<Record<string, string>> }
  | { readonly action: 'remove-properties'; readonly removals: readonly string[] };

const conflict = (what: string): DatamoveError =>
  new DatamoveError('CommitConflict', `iceberg: commit conflict: ${what}`, {
    retryable: true,
    context: { reason: what },
  });

/** Throws a retryable CommitConflict naming the first requirement `base` does not meet. */
export function requirementsCheck(
  base: TableMetadata | undefined,
  requirements: readonly TableRequirement[],
): void {
  for (const r of requirements) {
    if (r.type === 'assert-create') {
      if (base !== undefined) throw conflict('table already exists');
      continue;
    }
    if (base === undefined) throw conflict(`${r.type} on a table that does not exist`);
    switch (r.type) {
      case 'assert-table-uuid':
        if (base['table-uuid'] !== r.uuid)
          throw conflict(`table uuid is ${base['table-uuid']}, expected ${r.uuid}`);
        break;
      case 'assert-ref-snapshot-id': {
        const cur = base.refs[r.ref]?.['snapshot-id'] ?? null;
        const want = r['snapshot-id'] === null ? null : BigInt(r['snapshot-id']);
        if (cur !== want)
          throw conflict(`branch ${r.ref} is at snapshot ${cur ?? 'none'}, expected ${want ?? 'none'}`);
        break;
      }
      case 'assert-last-assigned-field-id':
        if (base['last-column-id'] !== r['last-assigned-field-id'])
          throw conflict(
            `last-column-id is ${base['last-column-id']}, expected ${r['last-assigned-field-id']}`,
          );
        break;
      case 'assert-current-schema-id':
        if (base['current-schema-id'] !== r['current-schema-id'])
          throw conflict(
            `current schema is ${base['current-schema-id']}, expected ${r['current-schema-id']}`,
          );
        break;
      case 'assert-last-assigned-partition-id':
        if (base['last-partition-id'] !== r['last-assigned-partition-id'])
          throw conflict(
            `last-partition-id is ${base['last-partition-id']}, expected ${r['last-assigned-partition-id']}`,
          );
        break;
      case 'assert-default-spec-id':
        if (base['default-spec-id'] !== r['default-spec-id'])
          throw conflict(`default spec is ${base['default-spec-id']}, expected ${r['default-spec-id']}`);
        break;
      case 'assert-default-sort-order-id':
        if (base['default-sort-order-id'] !== r['default-sort-order-id'])
          throw conflict(
            `default sort order is ${base['default-sort-order-id']}, expected ${r['default-sort-order-id']}`,
          );
        break;
    }
  }
}

/** Previous metadata files kept in the metadata log (`write.metadata.previous-versions-max`). */
const PREVIOUS_VERSIONS_MAX = 100;

/**
 * Applies updates to `base` (read from `baseLocation`, or a new table when `baseLocation` is undefined),
 * returning the next metadata. Invalid updates are InvalidArgument errors.
 */
export function metadataApplyUpdates(
  base: TableMetadata,
  updates: readonly TableUpdate[],
  options: { readonly baseLocation?: string; readonly now?: number } = {},
): TableMetadata {
  const now = options.now ?? Date.now();
  const m = {
    ...base,
    schemas: [...base.schemas],
    'partition-specs': [...base['partition-specs']],
    'sort-orders': [...base['sort-orders']],
    properties: { ...base.properties },
    refs: { ...base.refs },
    snapshots: [...base.snapshots],
    'snapshot-log': [...base['snapshot-log']],
    'metadata-log': [...base['metadata-log']],
  } as { -readonly [K in keyof TableMetadata]: TableMetadata[K] } & {
    schemas: IcebergSchema[];
    'partition-specs': PartitionSpec[];
    'sort-orders': SortOrder[];
    properties: Record<string, string>;
    refs: Record<string, SnapshotRef>;
    snapshots: Snapshot[];
    'snapshot-log': { 'timestamp-ms': number; 'snapshot-id': bigint }[];
    'metadata-log': { 'timestamp-ms': number; 'metadata-file': string }[];
  };
  let lastSchema: number | undefined;
  let lastSpec: number | undefined;
  let lastOrder: number | undefined;
  const bad = (what: string): DatamoveError =>
    new DatamoveError('InvalidArgument', `iceberg: invalid table update: ${what}`, {
      context: { reason: what },
    });
  for (const u of updates) {
    switch (u.action) {
      case 'assign-uuid':
        m['table-uuid'] = u.uuid;
        break;
      case 'upgrade-format-version':
        if (u['format-version'] < m['format-version'])
          throw bad(`cannot downgrade to format ${u['format-version']}`);
        m['format-version'] = u['format-version'];
        break;
      case 'add-schema': {
        const id = m.schemas.reduce((x, s) => Math.max(x, s['schema-id']), -1) + 1;
        const schema = {
          ...u.schema,
          'schema-id': m.schemas.some((s) => s['schema-id'] === u.schema['schema-id'])
            ? id
            : u.schema['schema-id'],
        };
        m.schemas.push(schema);
        m['last-column-id'] = Math.max(m['last-column-id'], u['last-column-id'] ?? 0);
        lastSchema = schema['schema-id'];
        break;
      }
      case 'set-current-schema': {
        const id = u['schema-id'] === -1 ? lastSchema : u['schema-id'];
        if (id === undefined || !m.schemas.some((s) => s['schema-id'] === id))
          throw bad(`schema ${u['schema-id']} does not exist`);
        m['current-schema-id'] = id;
        break;
      }
      case 'add-spec': {
        m['partition-specs'].push(u.spec);
        m['last-partition-id'] = Math.max(m['last-partition-id'], ...u.spec.fields.map((f) => f['field-id']));
        lastSpec = u.spec['spec-id'];
        break;
      }
      case 'set-default-spec': {
        const id = u['spec-id'] === -1 ? lastSpec : u['spec-id'];
        if (id === undefined || !m['partition-specs'].some((s) => s['spec-id'] === id))
          throw bad(`spec ${u['spec-id']} does not exist`);
        m['default-spec-id'] = id;
        break;
      }
      case 'add-sort-order':
        m['sort-orders'].push(u['sort-order']);
        lastOrder = u['sort-order']['order-id'];
        break;
      case 'set-default-sort-order': {
        const id = u['sort-order-id'] === -1 ? lastOrder : u['sort-order-id'];
        if (id === undefined) throw bad('no sort order was added');
        m['default-sort-order-id'] = id;
        break;
      }
      case 'add-snapshot': {
        const s = u.snapshot;
        if (m.snapshots.some((x) => x['snapshot-id'] === s['snapshot-id']))
          throw bad(`snapshot ${s['snapshot-id']} already exists`);
        if (s['sequence-number'] <= m['last-sequence-number'] && m['format-version'] > 1) {
          throw bad(
            `snapshot sequence number ${s['sequence-number']} is not above last-sequence-number ${m['last-sequence-number']}`,
          );
        }
        m.snapshots.push(s);
        m['last-sequence-number'] = Math.max(m['last-sequence-number'], s['sequence-number']);
        break;
      }
      case 'set-snapshot-ref': {
        const id = BigInt(u['snapshot-id']);
        const snap = m.snapshots.find((s) => s['snapshot-id'] === id);
        if (snap === undefined) throw bad(`snapshot ${id} does not exist`);
        const { action: _a, 'ref-name': name, ...ref } = u;
        m.refs[name] = { ...ref, 'snapshot-id': id };
        if (name === 'main') {
          m['current-snapshot-id'] = id;
          m['snapshot-log'].push({ 'timestamp-ms': now, 'snapshot-id': id });
        }
        break;
      }
      case 'remove-snapshots': {
        const ids = new Set(u['snapshot-ids'].map((x) => BigInt(x)));
        for (const [name, r] of Object.entries(m.refs)) {
          if (ids.has(r['snapshot-id'])) {
            if (name === 'main') throw bad(`cannot remove snapshot ${r['snapshot-id']}: main points at it`);
            delete m.refs[name];
          }
        }
        m.snapshots = m.snapshots.filter((s) => !ids.has(s['snapshot-id']));
        m['snapshot-log'] = m['snapshot-log'].filter((e) => !ids.has(BigInt(e['snapshot-id'])));
        break;
      }
      case 'remove-snapshot-ref':
        delete m.refs[u['ref-name']];
        if (u['ref-name'] === 'main') m['current-snapshot-id'] = -1n;
        break;
      case 'set-location':
        m.location = u.location;
        break;
      case 'set-properties':
        Object.assign(m.properties, u.updates);
        break;
      case 'remove-properties':
        for (const k of u.removals) delete m.properties[k];
        break;
      default:
        throw bad(`unknown action ${(u as { action: string }).action}`);
    }
  }
  if (options.baseLocation !== undefined) {
    m['metadata-log'].push({
      'timestamp-ms': base['last-updated-ms'],
      'metadata-file': options.baseLocation,
    });
    const max = Number(m.properties['write.metadata.previous-versions-max'] ?? PREVIOUS_VERSIONS_MAX);
    if (m['metadata-log'].length > max) m['metadata-log'] = m['metadata-log'].slice(-max);
  }
  m['last-updated-ms'] = now;
  return m;
}

/** The version number in a metadata file name (`00042-<uuid>.metadata.json`, `v42.metadata.json`), or -1. */
export function metadataVersionOf(location: string | undefined): number {
  if (location === undefined) return -1;
  const name = location.slice(location.lastIndexOf('/') + 1);
  const m = /^v?(\d+)[-.]/.exec(name);
  return m ? Number(m[1]) : -1;
}
