/**
 * Writing metadata.json files (format/spec.md "Metadata files" / "File System Tables"):
 * `<location>/metadata/<NNNNN>-<uuid>.metadata.json` as Java's catalogs name them (unique per attempt, so
 * concurrent committers never overwrite each other), and — after a successful swap — the file-system view
 * for path-based readers: `v<N>.metadata.json` plus `version-hint.text` holding N (DuckDB's iceberg_scan and
 * icebird open a table by path that way). The hint is advisory: the catalog is the source of truth.
 */
import { randomUUID } from 'node:crypto';
import { type FileIO, locationJoin } from '../io/file-io.js';
import { metadataParse, metadataStringify, type TableMetadata } from '../metadata/table-metadata.js';
import { metadataVersionOf } from '../metadata/table-update.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes the next metadata file after `previousLocation` and returns its location. */
export async function metadataFileWrite(
  io: FileIO,
  metadata: TableMetadata,
  previousLocation: string | undefined,
): Promise<string> {
  const version = metadataVersionOf(previousLocation) + 1;
  const loc = locationJoin(
    metadata.location,
    'metadata',
    `${String(version).padStart(5, '0')}-${randomUUID()}.metadata.json`,
  );
  await io.write(loc, encoder.encode(metadataStringify(metadata)));
  return loc;
}

export async function metadataFileRead(io: FileIO, location: string): Promise<TableMetadata> {
  return metadataParse(decoder.decode(await io.read(location)), location);
}

/** Publishes the committed metadata for path-based readers (`vN.metadata.json` + `version-hint.text`). */
export async function versionHintWrite(
  io: FileIO,
  metadataLocation: string,
  metadata: TableMetadata,
): Promise<void> {
  const n = Math.max(1, metadataVersionOf(metadataLocation));
  const dir = locationJoin(metadata.location, 'metadata');
  await io.write(locationJoin(dir, `v${n}.metadata.json`), encoder.encode(metadataStringify(metadata)));
  // never move the hint backwards (a slower committer may publish after a faster one)
  try {
    const cur = Number.parseInt(decoder.decode(await io.read(locationJoin(dir, 'version-hint.text'))), 10);
    if (Number.isFinite(cur) && cur > n) return;
  } catch {
    // no hint yet
  }
  await io.write(locationJoin(dir, 'version-hint.text'), encoder.encode(String(n)));
}
