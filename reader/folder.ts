/**
 * A table on disk: a folder of SSTables (the layout of a `nodetool snapshot` and of every backup tool's
 * per-table folder) with the schema.cql beside them, or a single Data.db. Opens every SSTable against one
 * table model so their rows can be merged.
 */
import { DatamoveError } from '../core/index.js';
import type { ByteSourceDirectory } from '../storage/index.js';
import { decodeUtf8 } from './bytes/cursor.js';
import { parseSchemaCql } from './cql/schema-cql.js';
import { descriptorParse, descriptorsInFolder } from './sstable/descriptor.js';
import { type SSTable, type SSTableOpenOptions, sstableOpen } from './sstable/sstable.js';
import { type TableModel, tableModelFromSchema } from './sstable/table-model.js';

export interface TableFolderOptions extends SSTableOpenOptions {
  /** schema.cql text to use instead of the folder's own. */
  readonly schemaText?: string;
  /** Name of schema.cql's source, for messages. */
  readonly schemaName?: string;
  /** Open only this component file's SSTable (a Data.db given on the command line). */
  readonly onlyFile?: string;
  /** When schema.cql defines several tables: which one (`table` or `keyspace.table`). */
  readonly table?: string;
}

export interface TableFolder {
  readonly model: TableModel;
  readonly sstables: readonly SSTable[];
  close(): Promise<void>;
}

export async function tableFolderOpen(
  dir: ByteSourceDirectory,
  options: TableFolderOptions = {},
): Promise<TableFolder> {
  const files = await dir.list();
  let descriptors = descriptorsInFolder(files);
  if (options.onlyFile !== undefined) {
    const d = descriptorParse(options.onlyFile);
    if (d === undefined) {
      throw new DatamoveError(
        'InvalidArgument',
        `sstable: ${dir.name}/${options.onlyFile}: not an SSTable component file name`,
        {
          context: { file: options.onlyFile },
        },
      );
    }
    descriptors = descriptors.filter((x) => x.prefix === d.prefix);
    if (descriptors.length === 0) {
      throw new DatamoveError(
        'NotFound',
        `sstable: ${dir.name}/${d.prefix}-Data.db: missing component (Data.db)`,
        {
          context: { file: `${dir.name}/${d.prefix}-Data.db` },
        },
      );
    }
  }
  if (descriptors.length === 0) {
    throw new DatamoveError(
      'NotFound',
      `sstable: ${dir.name}: no SSTable (no *-Data.db file) in the folder`,
      {
        context: { file: dir.name },
      },
    );
  }
  let schemaText = options.schemaText;
  let schemaName = options.schemaName ?? `${dir.name}/schema.cql`;
  if (schemaText === undefined) {
    const bytes = await dir.readAll('schema.cql');
    if (bytes !== undefined) {
      schemaText = decodeUtf8(bytes);
      schemaName = `${dir.name}/schema.cql`;
    }
  }
  let model: TableModel | undefined;
  if (schemaText !== undefined) {
    let schema: ReturnType<typeof parseSchemaCql>;
    try {
      schema = parseSchemaCql(schemaText);
    } catch (e) {
      throw new DatamoveError('DataInvalid', `${schemaName}: ${(e as Error).message}`, {
        context: { file: schemaName },
        cause: e,
      });
    }
    const wanted = options.table;
    const tables =
      wanted === undefined
        ? schema.tables
        : schema.tables.filter((t) => t.name === wanted || `${t.keyspace}.${t.name}` === wanted);
    if (tables.length !== 1) {
      throw new DatamoveError(
        'InvalidArgument',
        `${schemaName}: ${tables.length === 0 ? 'no' : tables.length} CREATE TABLE${wanted ? ` for ${wanted}` : ''}; name the table (found: ${schema.tables.map((t) => `${t.keyspace}.${t.name}`).join(', ') || 'none'})`,
        { context: { file: schemaName } },
      );
    }
    model = tableModelFromSchema(tables[0]!);
  }
  const sstables: SSTable[] = [];
  try {
    for (const d of descriptors) {
      const t = await sstableOpen(dir, d, model, options);
      model ??= t.model;
      sstables.push(t);
    }
    const partitioners = new Set(sstables.map((t) => t.partitioner.name));
    if (partitioners.size > 1) {
      throw new DatamoveError(
        'DataInvalid',
        `sstable: ${dir.name}: SSTables of one table use different partitioners: ${[...partitioners].join(', ')}`,
        {
          context: { file: dir.name },
        },
      );
    }
  } catch (e) {
    await Promise.all(sstables.map((t) => t.close()));
    throw e;
  }
  return {
    model: model!,
    sstables,
    close: async () => void (await Promise.all(sstables.map((t) => t.close()))),
  };
}
