/** TOC.txt: the component names of an SSTable, one per line (io/sstable/SSTable.java `readTOC`). */
import { decodeUtf8 } from '../bytes/cursor.js';

export function tocParse(bytes: Uint8Array): string[] {
  return decodeUtf8(bytes)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}
