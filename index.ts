/**
 * datamove as a library (package.json `main` and `types`): the public surface of each layer, from core up
 * to validation. Each layer's index.ts lists its names explicitly; this file re-exports them whole, so it
 * never falls behind. The one name two layers share, `ColumnInfo`, is reader's here; validation's is
 * `DiffColumnInfo`. The CLI (cli/) and infra/ are not part of the library.
 */
export * from './compactor/index.js';
export * from './connectors/index.js';
export * from './core/index.js';
export * from './decider/index.js';
export * from './iceberg-writer/index.js';
export type { ColumnInfo } from './reader/index.js';
export * from './reader/index.js';
export * from './sstable-writer/index.js';
export * from './storage/index.js';
export type { ColumnInfo as DiffColumnInfo } from './validation/index.js';
export * from './validation/index.js';
