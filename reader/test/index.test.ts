import { describe, expect, it } from 'vitest';
import * as cql from '../index.js';

describe('reader index', () => {
  it('exports the public API', () => {
    for (const name of [
      'cqlTypeFromMarshal',
      'cqlTypeToMarshal',
      'cqlTypeFromCql',
      'cqlTypeToCql',
      'cqlValueFixedLength',
      'cqlValueToJson',
      'cqlMultiCellToJson',
      'counterContextTotal',
      'counterContextShards',
      'cqlCompare',
      'compositeSplit',
      'compositeJoin',
      'parseSchemaCql',
    ]) {
      expect(typeof (cql as Record<string, unknown>)[name], name).toBe('function');
    }
  });
});
