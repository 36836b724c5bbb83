/**
 * Table requirements against metadata (the check every catalog makes before a swap): each one met passes,
 * each one unmet is a retryable `CommitConflict` naming what differs, and an unknown one is refused rather
 * than passed over.
 */
import { describe, expect, it } from 'vitest';
import { DatamoveError } from '../../core/index.js';
import { NARROW_SCHEMA } from '../../infra/index.js';
import { metadataNew } from '../metadata/table-metadata.js';
import { requirementsCheck, type TableRequirement } from '../metadata/table-update.js';

const m = metadataNew(
  { schema: NARROW_SCHEMA, location: '/wh/t' },
  0,
  '00000000-0000-4000-8000-000000000001',
);

describe('requirementsCheck', () => {
  const met: TableRequirement[] = [
    { type: 'assert-table-uuid', uuid: m['table-uuid'] },
    { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': null },
    { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': m['last-column-id'] },
    { type: 'assert-current-schema-id', 'current-schema-id': m['current-schema-id'] },
    { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': m['last-partition-id'] },
    { type: 'assert-default-spec-id', 'default-spec-id': m['default-spec-id'] },
    { type: 'assert-default-sort-order-id', 'default-sort-order-id': m['default-sort-order-id'] },
  ];

  it('passes when every requirement holds', () => {
    expect(() => requirementsCheck(m, met)).not.toThrow();
  });

  it.each([
    [{ type: 'assert-create' }, 'table already exists'],
    [{ type: 'assert-table-uuid', uuid: 'u' }, `table uuid is ${m['table-uuid']}, expected u`],
    [
      { type: 'assert-ref-snapshot-id', ref: 'main', 'snapshot-id': 7n },
      'branch main is at snapshot none, expected 7',
    ],
    [
      { type: 'assert-last-assigned-field-id', 'last-assigned-field-id': 99 },
      `last-column-id is ${m['last-column-id']}, expected 99`,
    ],
    [{ type: 'assert-current-schema-id', 'current-schema-id': 5 }, 'current schema is 0, expected 5'],
    [
      { type: 'assert-last-assigned-partition-id', 'last-assigned-partition-id': 1 },
      `last-partition-id is ${m['last-partition-id']}, expected 1`,
    ],
    [{ type: 'assert-default-spec-id', 'default-spec-id': 3 }, 'default spec is 0, expected 3'],
    [
      { type: 'assert-default-sort-order-id', 'default-sort-order-id': 2 },
      'default sort order is 0, expected 2',
    ],
  ] as [TableRequirement, string][])('%o is a retryable conflict', (r, what) => {
    let e: unknown;
    try {
      requirementsCheck(m, [...met, r]);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(DatamoveError);
    expect(e).toMatchObject({
      kind: 'CommitConflict',
      retryable: true,
      message: `iceberg: commit conflict: ${what}`,
    });
  });

  it('refuses a requirement it does not know', () => {
    for (const type of ['assert-something-new', 'toString']) {
      expect(() => requirementsCheck(m, [{ type } as unknown as TableRequirement])).toThrow(
        expect.objectContaining({
          kind: 'InvalidArgument',
          message: `iceberg: unknown table requirement ${type}`,
        }),
      );
    }
  });
});
