/**
 * Writing metadata.json files (format/spec.md "Metadata files" / "File System Tables"):
 * `<location>/metadata/<NNNNN>-<uuid>.metadata.json` as Java's catalogs name them (unique per attempt, so
 * concurrent committers never overwrite each other), and — after a successful swap — the file-system view
 * for path-based readers: `v<N>.metadata.json` plus `version-hint.text` holding N (DuckDB's iceberg_scan and
 * icebird open a table by path that way). The hint is advisory: the catalog is the source of truth, so a
 * hint that could not be published is a warning, never a failed commit.
 */
import { randomUUID } from 'node:crypto';
import { DatamoveError, isDatamoveError } from '../../core/index.js';
import { errorLine } from '../errors.js';
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

/**
 * Publishes the committed metadata for path-based readers (`vN.metadata.json` + `version-hint.text`). Only
 * a missing hint is "no hint yet": a hint that cannot be read may be ahead of this version, so it is left
 * as it is and the read error is thrown.
 */
export async function versionHintWrite(
  io: FileIO,
  metadataLocation: string,
  metadata: TableMetadata,
): Promise<void> {
  const n = Math.max(1, metadataVersionOf(metadataLocation));
  const dir = locationJoin(metadata.location, 'metadata');
  const hint = locationJoin(dir, 'version-hint.text');
  await io.write(locationJoin(dir, `v${n}.metadata.json`), encoder.encode(metadataStringify(metadata)));
  // never move the hint backwards (a slower committer may publish after a faster one)
  let current: number | undefined;
  try {
    current = Number.parseInt(decoder.decode(await io.read(hint)), 10);
  } catch (e) {
    if (!(isDatamoveError(e) && e.kind === 'NotFound')) {
      throw isDatamoveError(e)
        ? e
        : new DatamoveError('Unexpected', `iceberg: ${hint}: cannot read the version hint: ${errorLine(e)}`, {
            context: { uri: hint },
            cause: e,
          });
    }
  }
  if (current !== undefined && Number.isFinite(current) && current > n) return;
  await io.write(hint, encoder.encode(String(n)));
}

/**
 * `versionHintWrite` after a swap that succeeded. The catalog already points at the new metadata, so a
 * failure here does not fail the caller; it goes to `warn` (path readers keep seeing the previous version
 * until a later commit publishes).
 */
export async function versionHintPublish(
  io: FileIO,
  metadataLocation: string,
  metadata: TableMetadata,
  warn: (message: string) => void,
): Promise<void> {
  try {
    await versionHintWrite(io, metadataLocation, metadata);
  } catch (e) {
    warn(
      `iceberg: ${metadataLocation} is committed, but its version hint for path readers was not published: ${errorLine(e)}`,
    );
  }
}
